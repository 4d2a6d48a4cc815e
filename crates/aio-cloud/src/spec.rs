//! What the topology says the cloud side must be: the external network
//! and its subnet (declared in `[neutron.external_network]`, what is not
//! declared derived from the plumbing as [`aio_kolla::neutron`] derives
//! it), and Octavia's management network as the plumbing implies it (the
//! VLAN of the OVS port behind `octavia_network_interface`, that
//! interface's address as the gateway, the physnet's MTU).

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use aio_kolla::neutron::external_network;
use aio_topology::{Facts, InterfaceKind, PHYSNET, Topology};

/// Neutron's external network as aio makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct External {
    pub name: String,
    pub subnet: String,
    pub physical_network: String,
    pub cidr: Ipv4Net,
    pub gateway: Ipv4Addr,
    pub pool: (Ipv4Addr, Ipv4Addr),
    pub dhcp: bool,
}

/// Why the external network cannot be made from this topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Underived(pub String);

impl External {
    /// `[neutron.external_network]` of `topology`, completed from the
    /// plumbing; `Ok(None)` when it is not declared.
    pub fn of(topology: &Topology, facts: &Facts) -> Result<Option<External>, Underived> {
        let Some(decl) = topology
            .neutron
            .as_ref()
            .and_then(|n| n.external_network.as_ref())
        else {
            return Ok(None);
        };
        let derived = external_network(topology, facts);
        let missing = |what: &str| {
            Underived(format!(
                "[neutron.external_network] sets no {what} and the plumbing gives none \
                 (neutron_external_interface's veth peer enslaved to a bridge with an IPv4 address)"
            ))
        };
        let cidr = match (&decl.cidr, &derived) {
            (Some(c), _) => c.value,
            (None, Some(d)) => d.cidr,
            (None, None) => return Err(missing("cidr")),
        };
        let gateway = match (&decl.gateway, &derived) {
            (Some(g), _) => g.value,
            (None, Some(d)) => d.gateway,
            (None, None) => return Err(missing("gateway")),
        };
        let pool = match (&decl.allocation_pool, &derived) {
            (Some(p), _) => p.value,
            (None, Some(d)) if d.cidr == cidr => d.pool,
            // A declared subnet of its own: its pool, clear of the host.
            (None, _) => {
                let mut taken = topology.declared_ipv4();
                taken.push(gateway);
                taken.extend(facts.uplink_address);
                taken.extend(facts.gateway);
                taken.extend(facts.vip);
                aio_topology::derived_pool(cidr, &taken)
                    .ok_or_else(|| missing("allocation_pool"))?
            }
        };
        Ok(Some(External {
            name: decl.name.value.clone(),
            subnet: decl.subnet.value.clone(),
            physical_network: decl.physical_network.value.clone(),
            cidr,
            gateway,
            pool,
            dhcp: decl.dhcp.value,
        }))
    }
}

/// Octavia's management network as the plumbing implies it. Only what the
/// topology pins down is set; the rest is not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Octavia {
    /// `octavia_amp_network.name`; `lb-mgmt-net` by default.
    pub name: String,
    /// The OVS port behind `octavia_network_interface` and its tag.
    pub port: Option<(String, u16)>,
    pub physical_network: Option<String>,
    /// `octavia_network_interface`'s IPv4 address: the health manager.
    pub gateway: Option<(String, Ipv4Addr)>,
    pub mtu: Option<u32>,
}

/// Kolla's `neutron_bridge_name` when unset: the first physnet's bridge.
const KOLLA_BRIDGE: &str = "br-ex";

/// Kolla's default name for Octavia's management network.
pub const LB_MGMT_NET: &str = "lb-mgmt-net";

impl Octavia {
    /// `None` without `[neutron]`, or when Kolla does not make Octavia's
    /// network (`enable_octavia` not `yes`, or no `octavia_amp_network`).
    pub fn of(topology: &Topology) -> Option<Octavia> {
        topology.neutron.as_ref()?;
        let kolla = topology.kolla.as_ref()?;
        let global = |key: &str| kolla.globals.get(key).map(|v| &v.value);
        let enabled = global("enable_octavia").is_some_and(|v| {
            matches!(v.as_str(), Some("yes" | "true")) || v.as_bool() == Some(true)
        });
        let amp = global("octavia_amp_network")?.as_table()?;
        if !enabled {
            return None;
        }
        let name = amp
            .get("name")
            .and_then(toml::Value::as_str)
            .unwrap_or(LB_MGMT_NET)
            .to_string();
        let interface = global("octavia_network_interface").and_then(toml::Value::as_str);
        let port = interface.and_then(|i| tagged_peer(topology, i));
        let gateway = interface.and_then(|i| {
            let iface = topology.interfaces.get(i)?;
            iface.addresses.iter().find_map(|a| match a.value {
                ipnet::IpNet::V4(net) => Some((i.to_string(), net.addr())),
                ipnet::IpNet::V6(_) => None,
            })
        });
        let physical_network = port
            .as_ref()
            .and_then(|(p, _)| on_physnet_bridge(topology, p))
            .map(|()| PHYSNET.to_string());
        Some(Octavia {
            name,
            port,
            physical_network,
            gateway,
            mtu: topology.physnet_mtu().map(|m| m.mtu),
        })
    }
}

/// The OVS port that is `interface`'s veth peer, and its tag.
fn tagged_peer(topology: &Topology, interface: &str) -> Option<(String, u16)> {
    let peer = match &topology.interfaces.get(interface)?.kind {
        InterfaceKind::Veth { peer } => peer,
        InterfaceKind::VethPeer { of } => of,
        _ => return None,
    };
    let ovs = topology.ovs.as_ref()?;
    ovs.bridges
        .values()
        .find_map(|b| b.ports.get(peer))
        .and_then(|p| Some((p.name.clone(), p.tag?)))
}

/// `Some` when `port` is on the bridge Kolla maps the first physnet to.
fn on_physnet_bridge(topology: &Topology, port: &str) -> Option<()> {
    let kolla = topology.kolla.as_ref()?;
    let bridge = kolla
        .globals
        .get("neutron_bridge_name")
        .and_then(|v| v.value.as_str())
        .and_then(|s| s.split(',').next())
        .map(str::trim)
        .unwrap_or(KOLLA_BRIDGE);
    let ovs = topology.ovs.as_ref()?;
    ovs.bridges.get(bridge)?.ports.get(port).map(drop)
}

#[cfg(test)]
#[path = "spec_tests.rs"]
mod tests;
