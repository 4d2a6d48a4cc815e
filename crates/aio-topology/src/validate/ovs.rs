//! `[ovs]`: the OVSDB address, bridges and their ports.

use indexmap::IndexMap;
use toml::Spanned;

use super::Checker;
use crate::diag::Span;
use crate::model::{Interface, InterfaceKind, Ovs, OvsBridge, OvsDb, OvsPort, OvsPortType};
use crate::raw::{RawOvs, RawOvsBridge, RawOvsPort};
use crate::vocabulary::ovs::{DATAPATHS, FAIL_MODES, PORT_TYPES, PROVIDERS, VLAN_IDS};

pub const DEFAULT_DB: &str = "unix:/run/openvswitch/db.sock";

pub(crate) fn check(
    c: &mut Checker,
    raw: RawOvs,
    have_kolla: bool,
    interfaces: &IndexMap<String, Interface>,
) -> Option<Ovs> {
    let db = match &raw.db {
        None => parse_db(DEFAULT_DB),
        Some(d) => check_db(c, d),
    };
    let mut bridges: IndexMap<String, OvsBridge> = IndexMap::new();
    for (name, bridge) in raw.bridges.unwrap_or_default() {
        not_created_by_interfaces(c, name.get_ref(), name.span(), "bridge", interfaces);
        let Some(b) = check_bridge(c, &name, bridge, have_kolla) else {
            continue;
        };
        for port in b.ports.values() {
            check_port_owner(c, port, &bridges, interfaces);
        }
        bridges.insert(b.name.clone(), b);
    }
    let db_span = raw.db.as_ref().map_or(0..0, Spanned::span);
    Some(Ovs {
        db: db?,
        db_span,
        bridges,
    })
}

/// `db`: a form [`parse_db`] reads, an absolute socket path, a port that is not 0.
fn check_db(c: &mut Checker, d: &Spanned<String>) -> Option<OvsDb> {
    let examples = format!("e.g. \"{DEFAULT_DB}\" or \"tcp:127.0.0.1:6640\"");
    let (message, help) = match parse_db(d.get_ref()) {
        None => (
            format!(
                "OVSDB address \"{}\" is neither unix:PATH nor tcp:HOST:PORT",
                d.get_ref()
            ),
            examples,
        ),
        Some(OvsDb::Unix(path)) if !path.starts_with('/') => (
            format!("OVSDB socket path \"{path}\" is not absolute"),
            format!("a relative path would depend on the directory aio runs from: {examples}"),
        ),
        Some(OvsDb::Tcp { port: 0, .. }) => (
            format!("OVSDB address \"{}\" has port 0", d.get_ref()),
            format!("give the port ovsdb-server listens on, {examples}"),
        ),
        Some(db) => return Some(db),
    };
    c.error(d.span(), message, help);
    None
}

/// An OVS bridge or internal port makes a kernel interface of its name:
/// refused if `[interfaces]` creates one of that name too.
fn not_created_by_interfaces(
    c: &mut Checker,
    name: &str,
    span: Span,
    what: &str,
    interfaces: &IndexMap<String, Interface>,
) {
    let Some(iface) = interfaces.get(name) else {
        return;
    };
    if iface.kind == InterfaceKind::Existing {
        return; // its settings (addresses, MTU) are managed on what OVS makes
    }
    let declared = match &iface.kind {
        InterfaceKind::VethPeer { of } => format!("[interfaces.{of}] (as its peer)"),
        _ => format!("[interfaces.{}]", iface.name),
    };
    c.error(
        span,
        format!("OVS {what} \"{name}\" has the name of the interface {declared} creates"),
        "two interfaces of one name cannot both exist: rename one, or drop `type` from [interfaces] to only manage the settings of what OVS makes",
    );
}

/// A port belongs to one bridge: not to an OVS bridge before this one,
/// not to a Linux bridge (`master`), and never lo.
fn check_port_owner(
    c: &mut Checker,
    port: &OvsPort,
    before: &IndexMap<String, OvsBridge>,
    interfaces: &IndexMap<String, Interface>,
) {
    let span = port.name_span.clone();
    let name = &port.name;
    if name == super::interfaces::LOOPBACK {
        c.error(
            span,
            "lo, the loopback interface, cannot be an OVS port",
            "name a veth end or an internal port instead",
        );
        return;
    }
    if let Some(other) = before.values().find(|b| b.ports.contains_key(name)) {
        c.error(
            span,
            format!(
                "\"{name}\" is already a port of OVS bridge \"{}\"",
                other.name
            ),
            "a port belongs to one bridge: remove one of them",
        );
        return;
    }
    if let Some(master) = interfaces.get(name).and_then(|i| i.master.as_ref()) {
        c.error(
            span,
            format!(
                "\"{name}\" is a port of Linux bridge \"{}\" (its `master`) and cannot be an OVS port too",
                master.value
            ),
            "an interface has one master: remove `master` or this port",
        );
        return;
    }
    if port.kind == OvsPortType::Internal {
        not_created_by_interfaces(c, name, span, "internal port", interfaces);
    }
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
