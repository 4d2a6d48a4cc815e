//! `[ovs]`: the OVSDB address, bridges and their ports.

use indexmap::IndexMap;
use toml::Spanned;

use super::Checker;
use crate::model::{Ovs, OvsBridge, OvsDb, OvsPort, OvsPortType};
use crate::raw::{RawOvs, RawOvsBridge, RawOvsPort};

pub const DEFAULT_DB: &str = "unix:/run/openvswitch/db.sock";
pub const PROVIDERS: [&str; 1] = ["kolla"];
pub const DATAPATHS: [&str; 2] = ["system", "netdev"];
pub const FAIL_MODES: [&str; 2] = ["standalone", "secure"];
pub const PORT_TYPES: [&str; 2] = ["system", "internal"];
pub const VLAN_IDS: std::ops::RangeInclusive<u16> = 1..=4094;

pub(crate) fn check(c: &mut Checker, raw: RawOvs, have_kolla: bool) -> Option<Ovs> {
    let db = match &raw.db {
        None => parse_db(DEFAULT_DB),
        Some(d) => {
            let db = parse_db(d.get_ref());
            if db.is_none() {
                c.error(
                    d.span(),
                    format!(
                        "OVSDB address \"{}\" is neither unix:PATH nor tcp:HOST:PORT",
                        d.get_ref()
                    ),
                    format!("e.g. \"{DEFAULT_DB}\" or \"tcp:127.0.0.1:6640\""),
                );
            }
            db
        }
    };
    let mut bridges = IndexMap::new();
    for (name, bridge) in raw.bridges.unwrap_or_default() {
        if let Some(b) = check_bridge(c, &name, bridge, have_kolla) {
            bridges.insert(b.name.clone(), b);
        }
    }
    let db_span = raw.db.as_ref().map_or(0..0, Spanned::span);
    Some(Ovs {
        db: db?,
        db_span,
        bridges,
    })
}

pub fn parse_db(s: &str) -> Option<OvsDb> {
    if let Some(path) = s.strip_prefix("unix:") {
        return (!path.is_empty()).then(|| OvsDb::Unix(path.to_string()));
    }
    let (host, port) = s.strip_prefix("tcp:")?.rsplit_once(':')?;
    let port = port.parse().ok()?;
    (!host.is_empty()).then(|| OvsDb::Tcp {
        host: host.trim_matches(['[', ']']).to_string(),
        port,
    })
}

fn check_bridge(
    c: &mut Checker,
    name: &Spanned<String>,
    raw: RawOvsBridge,
    have_kolla: bool,
) -> Option<OvsBridge> {
    let name_ok = c.interface_name(name);
    let provided_by_kolla = match &raw.provided_by {
        None => false,
        Some(p) => {
            let known = c.one_of("provider", p, &PROVIDERS).is_some();
            if known && !have_kolla {
                c.error(
                    p.span(),
                    format!(
                        "bridge \"{}\" is provided by kolla, but there is no [kolla]",
                        name.get_ref()
                    ),
                    "add a [kolla] table, or remove `provided_by` so aio creates the bridge",
                );
            }
            known
        }
    };
    if let Some(d) = &raw.datapath_type {
        c.one_of("datapath_type", d, &DATAPATHS);
    }
    if let Some(f) = &raw.fail_mode {
        c.one_of("fail_mode", f, &FAIL_MODES);
    }
    let mut ports = IndexMap::new();
    for (port_name, port) in raw.ports.unwrap_or_default() {
        if let Some(p) = check_port(c, &port_name, port) {
            ports.insert(p.name.clone(), p);
        }
    }
    name_ok.then(|| OvsBridge {
        name: name.get_ref().clone(),
        provided_by_kolla,
        datapath_type: raw.datapath_type.map(Spanned::into_inner),
        fail_mode: raw.fail_mode.map(Spanned::into_inner),
        ports,
    })
}

fn vlan(c: &mut Checker, what: &str, v: &Spanned<i64>) -> Option<u16> {
    match u16::try_from(*v.get_ref()) {
        Ok(id) if VLAN_IDS.contains(&id) => Some(id),
        _ => {
            c.error(
                v.span(),
                format!("{what} {} is not a VLAN id", v.get_ref()),
                format!(
                    "`{what}` is a VLAN id from {} to {}",
                    VLAN_IDS.start(),
                    VLAN_IDS.end()
                ),
            );
            None
        }
    }
}

fn check_port(c: &mut Checker, name: &Spanned<String>, raw: RawOvsPort) -> Option<OvsPort> {
    let name_ok = c.interface_name(name);
    let tag = raw.tag.as_ref().map(|t| vlan(c, "tag", t));
    let trunks: Vec<Option<u16>> = raw
        .trunks
        .iter()
        .flatten()
        .map(|t| vlan(c, "trunks", t))
        .collect();
    let kind = match &raw.kind {
        None => Some(OvsPortType::System),
        Some(k) => c.one_of("port type", k, &PORT_TYPES).map(|k| {
            if k == "internal" {
                OvsPortType::Internal
            } else {
                OvsPortType::System
            }
        }),
    };
    if !name_ok || tag == Some(None) || trunks.contains(&None) {
        return None;
    }
    Some(OvsPort {
        name: name.get_ref().clone(),
        name_span: name.span(),
        tag: tag.flatten(),
        trunks: trunks.into_iter().flatten().collect(),
        kind: kind?,
    })
}
