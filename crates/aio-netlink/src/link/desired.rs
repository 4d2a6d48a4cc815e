//! A link the topology declares, as an engine resource.

use aio_engine::{Resource, ResourceId, TypedAttrs};
use aio_topology::{AdminState, Interface, InterfaceKind, Topology};

use crate::link::attrs::{LinkAttrs, LinkState};
use crate::link::id::LinkId;
use crate::name::PROVIDER;

/// The link `iface` declares: after its veth's first end and its master
/// when the topology declares them too.
pub fn resource(topology: &Topology, iface: &Interface) -> Resource {
    let id = |name: &str| ResourceId::from(LinkId::new(name));
    let mut r = Resource::new(id(&iface.name), PROVIDER);
    let (kind, peer) = match &iface.kind {
        InterfaceKind::Bridge => (Some("bridge"), None),
        InterfaceKind::Veth { peer } => (Some("veth"), Some(peer.as_str())),
        InterfaceKind::VethPeer { of } => {
            r = r.after(id(of));
            (Some("veth"), Some(of.as_str()))
        }
        InterfaceKind::Existing => (None, None),
    };
    let master = iface.master.as_ref().map(|m| m.value.clone());
    if let Some(m) = master
        .as_ref()
        .filter(|m| topology.interfaces.contains_key(*m))
    {
        r = r.after(id(m));
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
