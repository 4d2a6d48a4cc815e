//! What the topology says the cloud side must be: the external network
//! and its subnet (declared in `[neutron.external_network]`, what is not
//! declared derived from the plumbing as [`aio_kolla::neutron`] derives
//! it), and Octavia's management network as the plumbing implies it (the
//! VLAN of the OVS port behind `octavia_network_interface`, that
//! interface's address as the gateway, the physnet's MTU).

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use aio_kolla::neutron::external_network;
use aio_topology::{Facts, PHYSNET, Topology};

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
        let port = interface
            .and_then(|i| topology.port_behind(i))
            .and_then(|p| Some((p.port, p.tag?)));
        let gateway = interface.and_then(|i| {
            let iface = topology.interfaces.get(i)?;
            iface.addresses.iter().find_map(|a| match a.value {
                ipnet::IpNet::V4(net) => Some((i.to_string(), net.addr())),
                ipnet::IpNet::V6(_) => None,
            })
        });
        let physnet_bridge = topology.physnet_bridge();
        let physical_network = interface
            .and_then(|i| topology.port_behind(i))
            .filter(|p| Some(&p.bridge) == physnet_bridge.as_ref())
            .map(|_| PHYSNET.to_string());
        Some(Octavia {
            name,
            port,
            physical_network,
            gateway,
            mtu: topology.physnet_mtu().map(|m| m.mtu),
        })
    }
}

#[cfg(test)]
#[path = "spec_tests.rs"]
mod tests;
