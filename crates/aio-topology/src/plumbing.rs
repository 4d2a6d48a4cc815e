//! Where the plumbing meets Kolla's names, in one place: the bridge Kolla
//! maps physnet1 to, the OVS port behind an interface, and Octavia's
//! interface. The cloud side and `aio doctor` read the plumbing through
//! these.

use crate::model::{InterfaceKind, Topology};
use crate::validate::physnet::{first_item, physnet_bridge};

/// An OVS port of the file and the bridge that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortOnBridge {
    pub bridge: String,
    pub port: String,
    pub tag: Option<u16>,
}

impl Topology {
    /// The OVS bridge Kolla maps physnet1 to (the first of
    /// `neutron_bridge_name`, else `br-ex`); `None` without `[kolla]`.
    pub fn physnet_bridge(&self) -> Option<String> {
        self.kolla.as_ref().map(physnet_bridge)
    }

    /// The first of a comma-listed `[kolla.globals]` string, when it is
    /// plain text (no Jinja, no `${...}`).
    pub fn kolla_first(&self, key: &str) -> Option<String> {
        first_item(self.kolla.as_ref()?, key)
    }

    /// The other end of `interface`, when it is one end of a declared veth pair.
    pub fn veth_peer(&self, interface: &str) -> Option<&str> {
        match &self.interfaces.get(interface)?.kind {
            InterfaceKind::Veth { peer } => Some(peer),
            InterfaceKind::VethPeer { of } => Some(of),
            _ => None,
        }
    }

    /// The OVS port that is `interface`'s veth peer, with its bridge.
    pub fn port_behind(&self, interface: &str) -> Option<PortOnBridge> {
        let peer = self.veth_peer(interface)?;
        let ovs = self.ovs.as_ref()?;
        ovs.bridges.values().find_map(|b| {
            b.ports.get(peer).map(|p| PortOnBridge {
                bridge: b.name.clone(),
                port: p.name.clone(),
                tag: p.tag,
            })
        })
    }
}
