//! Bridges, ports and interfaces as one transaction of selects saw them.

use aio_engine::{Action, Attrs, Change};
use aio_ovsdb::{Client, DataError, Error, Op, Row};
use serde_json::{Value, json};
use std::collections::HashMap;

use crate::id::OvsId;
use crate::{OWNER, OWNER_KEY};

pub const DB: &str = "Open_vSwitch";

/// What observe and apply need of the columns the provider relies on,
/// checked against the server's schema before first use.
pub const COLUMNS: [(&str, &str); 11] = [
    ("Open_vSwitch", "bridges"),
    ("Bridge", "name"),
    ("Bridge", "ports"),
    ("Bridge", "external_ids"),
    ("Bridge", "datapath_type"),
    ("Bridge", "fail_mode"),
    ("Port", "interfaces"),
    ("Port", "tag"),
    ("Port", "trunks"),
    ("Port", "external_ids"),
    ("Interface", "type"),
];

#[derive(Debug, Clone)]
pub struct Bridge {
    pub uuid: String,
    pub row: Row,
}

#[derive(Debug, Clone)]
pub struct Port {
    pub uuid: String,
    /// The bridge holding it, if any.
    pub bridge: Option<String>,
    pub row: Row,
    /// Its first interface's type, `system` for OVS's empty type.
    pub kind: String,
}

#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The `Open_vSwitch` root row, if the database has one yet.
    pub root: Option<String>,
    pub bridges: HashMap<String, Bridge>,
    pub ports: HashMap<String, Port>,
}

impl Snapshot {
    /// The row `id` names, as its attributes and its `_uuid`.
    pub fn live(&self, id: &OvsId) -> Option<(Attrs, &str)> {
        match id {
            OvsId::Bridge(bridge) => self.bridges.get(bridge).map(|b| (b.attrs(), &*b.uuid)),
            OvsId::Port(port) => self.ports.get(&port.port).map(|p| (p.attrs(), &*p.uuid)),
        }
    }

    /// The ports on `bridge` that are not aio's (its own internal port
    /// aside): deleting the bridge would delete them.
    pub fn foreign_ports(&self, bridge: &str) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .ports
            .iter()
            .filter(|(name, p)| p.bridge.as_deref() == Some(bridge) && name.as_str() != bridge)
            .filter(|(_, p)| owner(&p.row).as_str() != Some(OWNER))
            .map(|(name, _)| name.as_str())
            .collect();
        names.sort_unstable();
        names
    }

    /// Whether this shows the row of `change` as its plan saw it: none for
    /// a creation, else with the attributes the plan read.
    pub fn as_planned(&self, change: &Change) -> bool {
        let Some(id) = OvsId::of(&change.id) else {
            return true;
        };
        let live = self.live(&id).map(|(attrs, _)| attrs);
        match (&change.before, live) {
            (Some(before), Some(live)) => before.iter().all(|(k, v)| live[k] == *v),
            (None, live) => change.action != Action::Create || live.is_none(),
            (Some(_), None) => false,
        }
    }

    pub async fn take(client: &Client) -> Result<Snapshot, Error> {
        let results = client
            .transact(
                DB,
                &[
                    Op::select_columns("Open_vSwitch", [], &["_uuid"]),
                    Op::select_columns(
                        "Bridge",
                        [],
                        &[
                            "_uuid",
                            "name",
                            "ports",
                            "external_ids",
                            "datapath_type",
                            "fail_mode",
                        ],
                    ),
                    Op::select_columns(
                        "Port",
                        [],
                        &[
                            "_uuid",
                            "name",
                            "interfaces",
                            "tag",
                            "trunks",
                            "external_ids",
                        ],
                    ),
                    Op::select_columns("Interface", [], &["_uuid", "name", "type"]),
                ],
            )
            .await?;
        let [root, bridges, ports, interfaces] = <[_; 4]>::try_from(results)
            .map_err(|r| DataError::Invalid(format!("{} results for 4 selects", r.len())))?
            .map(aio_ovsdb::OpResult::into_rows);
        Ok(Snapshot::from_rows(&root, bridges, ports, &interfaces)?)
    }

    /// The snapshot of the selected rows, each kept once (they are moved in).
    fn from_rows(
        root: &[Row],
        bridges: Vec<Row>,
        ports: Vec<Row>,
        interfaces: &[Row],
    ) -> Result<Snapshot, DataError> {
        let mut snapshot = Snapshot {
            root: root
                .first()
                .map(|r| r.uuid().map(str::to_string))
                .transpose()?,
            ..Snapshot::default()
        };
        let mut holder: HashMap<&str, &str> = HashMap::new(); // port uuid -> bridge name
        for b in &bridges {
            let name = b.string("name")?;
            for p in b.uuids("ports")? {
                holder.insert(p, name);
            }
        }
        let mut kinds: HashMap<&str, &str> = HashMap::new(); // interface uuid -> type
        for i in interfaces {
            kinds.insert(i.uuid()?, i.string("type")?);
        }
        snapshot.ports.reserve(ports.len());
        for p in ports {
            let uuid = p.uuid()?;
            let kind = p
                .uuids("interfaces")?
                .first()
                .and_then(|i| kinds.get(i))
                .copied()
                .unwrap_or("");
            let port = Port {
                uuid: uuid.to_string(),
                bridge: holder.get(uuid).map(|b| b.to_string()),
                kind: if kind.is_empty() {
                    "system".into()
                } else {
                    kind.to_string()
                },
                row: p,
            };
            snapshot
                .ports
                .insert(port.row.string("name")?.to_string(), port);
        }
        drop(holder);
        for row in bridges {
            let bridge = Bridge {
                uuid: row.uuid()?.to_string(),
                row,
            };
            snapshot
                .bridges
                .insert(bridge.row.string("name")?.to_string(), bridge);
        }
        Ok(snapshot)
    }
}

fn owner(row: &Row) -> Value {
    let ids = row.string_map("external_ids").unwrap_or_default();
    if ids.get(OWNER_KEY).map(String::as_str) == Some(OWNER) {
        json!(OWNER)
    } else {
        Value::Null
    }
}

impl Bridge {
    pub fn attrs(&self) -> Attrs {
        let text = |col: &str| {
            self.row
                .get(col)
                .ok()
                .and_then(|d| d.as_optional_string().ok().flatten())
                .map(str::to_string)
        };
        let datapath = text("datapath_type")
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "system".into());
        let mut attrs = Attrs::new();
        attrs.insert("datapath_type", json!(datapath));
        attrs.insert(
            "fail_mode",
            text("fail_mode").map_or(Value::Null, |f| json!(f)),
        );
        attrs.insert("owner", owner(&self.row));
        attrs
    }
}

impl Port {
    pub fn attrs(&self) -> Attrs {
        let tag = self.row.optional_integer("tag").ok().flatten();
        let mut trunks: Vec<i64> = self
            .row
            .get("trunks")
            .ok()
            .and_then(|d| d.as_set().ok())
            .map(|atoms| atoms.iter().filter_map(|a| a.as_integer()).collect())
            .unwrap_or_default();
        trunks.sort_unstable();
        let mut attrs = Attrs::new();
        attrs.insert(
            "bridge",
            self.bridge.as_ref().map_or(Value::Null, |b| json!(b)),
        );
        attrs.insert("tag", tag.map_or(Value::Null, Value::from));
        attrs.insert("trunks", json!(trunks));
        attrs.insert("type", json!(self.kind));
        attrs.insert("owner", owner(&self.row));
        attrs
    }
}
