//! `[interfaces]` as engine resources.
//!
//! - `link/NAME`: `kind` (`bridge`, `veth`; absent for an existing NIC),
//!   `peer` (veth), `master`, `state`, `mtu`. A change of `kind` or `peer`
//!   means delete and create.
//! - `address/NAME/CIDR`: one address on one interface.

use aio_engine::{Attrs, Resource, ResourceId};
use aio_topology::{Interface, InterfaceKind, Topology};
use serde_json::{Value, json};

pub const PROVIDER: &str = "netlink";

pub fn link_id(name: &str) -> ResourceId {
    ResourceId::new("link", name)
}

pub fn address_id(iface: &str, cidr: &str) -> ResourceId {
    ResourceId::new("address", &format!("{iface}/{cidr}"))
}

/// The resources that make `[interfaces]` true.
pub fn resources(topology: &Topology) -> Vec<Resource> {
    let mut out = Vec::new();
    for iface in topology.interfaces.values() {
        out.push(link(topology, iface));
        for a in &iface.addresses {
            let cidr = a.value.to_string();
            let mut attrs = Attrs::new();
            attrs.insert("interface".into(), json!(iface.name));
            attrs.insert("address".into(), json!(cidr));
            out.push(Resource {
                id: address_id(&iface.name, &cidr),
                provider: PROVIDER.into(),
                attrs,
                deps: vec![link_id(&iface.name)],
                replace_on: vec![],
            });
        }
    }
    out
}

fn link(topology: &Topology, iface: &Interface) -> Resource {
    let mut attrs = Attrs::new();
    let mut deps = Vec::new();
    let (kind, peer) = match &iface.kind {
        InterfaceKind::Bridge => (Some("bridge"), None),
        InterfaceKind::Veth { peer } => (Some("veth"), Some(peer.as_str())),
        InterfaceKind::VethPeer { of } => {
            deps.push(link_id(of));
            (Some("veth"), Some(of.as_str()))
        }
        InterfaceKind::Existing => (None, None),
    };
    if let Some(kind) = kind {
        attrs.insert("kind".into(), json!(kind));
    }
    if let Some(peer) = peer {
        attrs.insert("peer".into(), json!(peer));
    }
    if let Some(master) = &iface.master {
        attrs.insert("master".into(), json!(master.value));
        if topology.interfaces.contains_key(&master.value) {
            deps.push(link_id(&master.value));
        }
    }
    attrs.insert("state".into(), json!(iface.state.as_str()));
    if let Some(mtu) = iface.mtu {
        attrs.insert("mtu".into(), Value::from(mtu));
    }
    Resource {
        id: link_id(&iface.name),
        provider: PROVIDER.into(),
        attrs,
        deps,
        replace_on: if kind.is_some() {
            vec!["kind".into(), "peer".into()]
        } else {
            vec![]
        },
    }
}
