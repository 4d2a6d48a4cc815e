//! The data paths a topology implies, read from its plumbing: the outside
//! network behind `neutron_external_interface` (its bridge, veth pair and
//! NAT), and Octavia's management network behind
//! `octavia_network_interface` (its veth pair and the OVS port's VLAN).

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use aio_topology::{Facts, PHYSNET, Topology};

/// The outside network: `dummy1` in the reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct External {
    /// `neutron_external_interface` (veth-ovs), Kolla's port on the physnet bridge.
    pub interface: String,
    /// Its veth peer (veth-br).
    pub peer: String,
    /// The Linux bridge holding the peer (dummy1).
    pub bridge: String,
    /// The bridge's address: the external subnet's gateway.
    pub address: Ipv4Net,
    /// Neutron's allocation pool on it (floating IPs), kept clear by probes.
    pub pool: Option<(Ipv4Addr, Ipv4Addr)>,
}

/// Octavia's management network: `v-lbaas` in the reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Octavia {
    /// `octavia_network_interface` (v-lbaas): the health manager's side.
    pub interface: String,
    pub address: Ipv4Net,
    /// Its veth peer on the physnet bridge (v-lbaas-vlan) and the VLAN.
    pub port: String,
    pub tag: u16,
}

/// What doctor walks on this host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Design {
    pub uplink: Option<String>,
    pub gateway: Option<Ipv4Addr>,
    /// The physnet (physnet1), the OVS bridge Kolla maps it to, and its MTU.
    pub physnet: Option<Physnet>,
    pub external: Option<External>,
    pub octavia: Option<Octavia>,
    /// Kolla deploys Neutron with OVN (`neutron_plugin_agent = "ovn"`).
    pub ovn: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Physnet {
    pub name: String,
    pub bridge: String,
    pub mtu: Option<u32>,
}

impl Design {
    pub fn of(topology: &Topology, facts: &Facts) -> Design {
        let physnet = topology.physnet_bridge().map(|bridge| Physnet {
            name: PHYSNET.to_string(),
            bridge,
            mtu: topology.physnet_mtu().map(|m| m.mtu),
        });
        Design {
            uplink: facts.uplink.clone(),
            gateway: facts.gateway,
            physnet,
            external: external(topology, facts),
            octavia: octavia(topology),
            ovn: topology.kolla_first("neutron_plugin_agent").as_deref() == Some("ovn"),
        }
    }
}

fn external(topology: &Topology, facts: &Facts) -> Option<External> {
    let bridge = topology.external_bridge().ok()?;
    let pool = aio_kolla::neutron::external_network(topology, facts).map(|n| n.pool);
    Some(External {
        interface: bridge.interface.value,
        peer: bridge.peer,
        bridge: bridge.bridge.value,
        address: bridge.address.value,
        pool,
    })
}

fn octavia(topology: &Topology) -> Option<Octavia> {
    let interface = topology.kolla_first("octavia_network_interface")?;
    let port = topology.port_behind(&interface)?;
    let address = topology
        .interfaces
        .get(&interface)?
        .addresses
        .iter()
        .find_map(|a| match a.value {
            ipnet::IpNet::V4(net) => Some(net),
            ipnet::IpNet::V6(_) => None,
        })?;
    Some(Octavia {
        interface,
        address,
        port: port.port,
        tag: port.tag?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_has_both_paths_on_physnet1() {
        let text = include_str!("../../../examples/openstack-aio.toml");
        let topology = aio_topology::parse_str("openstack-aio.toml", text).unwrap();
        let facts = Facts {
            uplink: Some("eth0".into()),
            uplink_address: Some(Ipv4Addr::new(192, 0, 2, 10)),
            gateway: Some(Ipv4Addr::new(192, 0, 2, 1)),
            ..Facts::default()
        };
        let d = Design::of(&topology, &facts);
        let ext = d.external.unwrap();
        assert_eq!(
            (
                ext.interface.as_str(),
                ext.peer.as_str(),
                ext.bridge.as_str()
            ),
            ("veth-ovs", "veth-br", "dummy1")
        );
        assert_eq!(ext.address.to_string(), "10.0.2.2/24");
        assert_eq!(
            ext.pool,
            Some((Ipv4Addr::new(10, 0, 2, 128), Ipv4Addr::new(10, 0, 2, 254)))
        );
        let o = d.octavia.unwrap();
        assert_eq!(
            (o.interface.as_str(), o.port.as_str(), o.tag),
            ("v-lbaas", "v-lbaas-vlan", 1718)
        );
        let p = d.physnet.unwrap();
        assert_eq!(
            (p.name.as_str(), p.bridge.as_str(), p.mtu),
            ("physnet1", "br-ex", Some(9000))
        );
        assert!(d.ovn);
    }
}
