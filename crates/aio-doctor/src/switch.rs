//! What Open vSwitch says beyond aio's own resources: OVN's settings in
//! `Open_vSwitch:external_ids` (the bridge mappings, the gateway
//! chassis), which bridge holds which port, and each interface's
//! `ofport` and `error`. One transaction of selects; nothing is written.

use std::collections::BTreeMap;

use aio_ovsdb::{Client, Op, Row};
use aio_topology::OvsDb;

const DB: &str = "Open_vSwitch";

/// One interface as `ovs-vswitchd` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// `-1` when the datapath could not open it; `None` before vswitchd looked.
    pub ofport: Option<i64>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Switch {
    pub external_ids: BTreeMap<String, String>,
    /// Bridge name → the names of its ports.
    pub bridges: BTreeMap<String, Vec<String>>,
    pub interfaces: BTreeMap<String, Interface>,
}

impl Switch {
    /// The physnet → bridge pairs of `ovn-bridge-mappings`.
    pub fn bridge_mappings(&self) -> Vec<(String, String)> {
        let Some(text) = self.external_ids.get("ovn-bridge-mappings") else {
            return Vec::new();
        };
        text.split(',')
            .filter_map(|pair| pair.trim().split_once(':'))
            .map(|(n, b)| (n.trim().to_string(), b.trim().to_string()))
            .collect()
    }

    /// The bridge whose ports include `port`.
    pub fn bridge_of(&self, port: &str) -> Option<&str> {
        self.bridges
            .iter()
            .find(|(_, ports)| ports.iter().any(|p| p == port))
            .map(|(b, _)| b.as_str())
    }

    /// Reads it from the OVSDB at `db`.
    pub async fn read(db: &OvsDb) -> Result<Switch, String> {
        let client = Client::connect_with(aio_ovs::address(db), aio_ovs::OPTIONS)
            .await
            .map_err(|e| format!("OVSDB at {db}: {e}"))?;
        let results = client
            .transact(
                DB,
                &[
                    Op::select_columns("Open_vSwitch", [], &["external_ids"]),
                    Op::select_columns("Bridge", [], &["name", "ports"]),
                    Op::select_columns("Port", [], &["_uuid", "name"]),
                    Op::select_columns("Interface", [], &["name", "ofport", "error"]),
                ],
            )
            .await
            .map_err(|e| format!("OVSDB at {db}: {e}"))?;
        let rows = |i: usize| results.get(i).map(|r| r.rows()).unwrap_or_default();
        Switch::from_rows(rows(0), rows(1), rows(2), rows(3))
            .map_err(|e| format!("OVSDB at {db}: {e}"))
    }

    fn from_rows(
        root: &[Row],
        bridges: &[Row],
        ports: &[Row],
        interfaces: &[Row],
    ) -> Result<Switch, aio_ovsdb::DataError> {
        let mut out = Switch::default();
        if let Some(row) = root.first() {
            out.external_ids = row.string_map("external_ids")?;
        }
        let mut port_names = BTreeMap::new();
        for row in ports {
            port_names.insert(row.uuid()?.to_string(), row.string("name")?.to_string());
        }
        for row in bridges {
            let names = row
                .uuids("ports")?
                .into_iter()
                .filter_map(|u| port_names.get(u).cloned())
                .collect();
            out.bridges.insert(row.string("name")?.to_string(), names);
        }
        for row in interfaces {
            let error = row.get("error")?.as_optional_string()?.map(str::to_string);
            let ofport = row.optional_integer("ofport")?;
            out.interfaces
                .insert(row.string("name")?.to_string(), Interface { ofport, error });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_are_read_as_kolla_writes_them() {
        let mut s = Switch::default();
        s.external_ids.insert(
            "ovn-bridge-mappings".into(),
            "physnet1:br-ex, physnet2:br-ex2".into(),
        );
        assert_eq!(
            s.bridge_mappings(),
            [
                ("physnet1".to_string(), "br-ex".to_string()),
                ("physnet2".to_string(), "br-ex2".to_string())
            ]
        );
        assert!(Switch::default().bridge_mappings().is_empty());
    }
}
