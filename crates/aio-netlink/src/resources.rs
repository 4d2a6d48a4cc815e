//! `[interfaces]` as engine resources (see [`crate::id`] for their ids and attributes).

use aio_engine::{Resource, TypedAttrs};
use aio_topology::{AdminState, Interface, InterfaceKind, Topology};

use crate::id::{AddressAttrs, LinkAttrs, LinkState, address_id, link_id};

pub const PROVIDER: &str = "netlink";

/// The resources that make `[interfaces]` true.
pub fn resources(topology: &Topology) -> Vec<Resource> {
    let mut out = Vec::new();
    for iface in topology.interfaces.values() {
        out.push(link(topology, iface));
        for a in &iface.addresses {
            let cidr = a.value.to_string();
            let attrs = AddressAttrs {
                interface: iface.name.clone(),
                address: cidr.clone(),
            };
            out.push(
                Resource::new(address_id(&iface.name, &cidr), PROVIDER)
                    .with_attrs(attrs.to_attrs())
                    .after(link_id(&iface.name)),
            );
        }
    }
    out
}

fn link(topology: &Topology, iface: &Interface) -> Resource {
    let mut r = Resource::new(link_id(&iface.name), PROVIDER);
    let (kind, peer) = match &iface.kind {
        InterfaceKind::Bridge => (Some("bridge"), None),
        InterfaceKind::Veth { peer } => (Some("veth"), Some(peer.as_str())),
        InterfaceKind::VethPeer { of } => {
            r = r.after(link_id(of));
            (Some("veth"), Some(of.as_str()))
        }
        InterfaceKind::Existing => (None, None),
    };
    let master = iface.master.as_ref().map(|m| m.value.clone());
    if let Some(m) = master
        .as_ref()
        .filter(|m| topology.interfaces.contains_key(*m))
    {
        r = r.after(link_id(m));
    }
    let attrs = LinkAttrs {
        kind: kind.map(str::to_string),
        peer: peer.map(str::to_string),
        master,
        state: Some(match iface.state {
            AdminState::Up => LinkState::Up,
            AdminState::Down => LinkState::Down,
        }),
        mtu: iface.mtu,
    };
    if kind.is_some() {
        r = r.replaced_on(&LinkAttrs::REPLACE_ON);
    }
    r.with_attrs(attrs.to_attrs())
}
