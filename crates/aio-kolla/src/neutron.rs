//! Neutron's external network, derived from the topology: flat on
//! `physnet1` (Kolla maps the first `neutron_external_interface` to it),
//! on the subnet of the bridge that interface's veth peer is enslaved to,
//! with that bridge's address as the gateway, an allocation pool clear of
//! every host address (the upper half of the subnet, the longest run
//! without one) and no DHCP. Rendered as the `openstack` commands and as
//! the `EXT_NET_*` values of Kolla's `init-runonce`.

use ipnet::Ipv4Net;
use std::net::{IpAddr, Ipv4Addr};

use aio_topology::derived_pool as pool;
use aio_topology::{Facts, Topology};

/// The physical network Kolla gives the first external interface.
pub const PHYSNET: &str = "physnet1";
/// The names `init-runonce` uses.
pub const NETWORK: &str = "public1";
pub const SUBNET: &str = "public1-subnet";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalNetwork {
    /// `neutron_external_interface` (its first one).
    pub interface: String,
    /// The bridge its veth peer is enslaved to: the outside world.
    pub bridge: String,
    pub cidr: Ipv4Net,
    pub gateway: Ipv4Addr,
    /// The allocation pool, first and last address.
    pub pool: (Ipv4Addr, Ipv4Addr),
}

impl ExternalNetwork {
    /// `start=A,end=B`.
    pub fn range(&self) -> String {
        format!("start={},end={}", self.pool.0, self.pool.1)
    }

    /// The two `openstack` commands that make it.
    pub fn commands(&self) -> [String; 2] {
        [
            format!(
                "openstack network create --external --provider-network-type flat --provider-physical-network {PHYSNET} {NETWORK}"
            ),
            format!(
                "openstack subnet create --no-dhcp --allocation-pool {} --network {NETWORK} --subnet-range {} --gateway {} {SUBNET}",
                self.range(),
                self.cidr,
                self.gateway
            ),
        ]
    }

    /// `EXT_NET_CIDR`, `EXT_NET_RANGE`, `EXT_NET_GATEWAY` for `init-runonce`.
    pub fn init_runonce(&self) -> [(&'static str, String); 3] {
        [
            ("EXT_NET_CIDR", self.cidr.to_string()),
            ("EXT_NET_RANGE", self.range()),
            ("EXT_NET_GATEWAY", self.gateway.to_string()),
        ]
    }

    /// What to run, for a person: `config_dir` holds Kolla's `admin-openrc.sh`.
    pub fn text(&self, config_dir: &str) -> String {
        let [network, subnet] = self.commands();
        let env = self
            .init_runonce()
            .map(|(k, v)| format!("{k}={v}"))
            .join(" ");
        format!(
            "Neutron's external network: flat on {PHYSNET} ({} -> bridge {}, {}), gateway {}, no DHCP.\n\
             After `. {config_dir}/admin-openrc.sh` (written by post-deploy):\n  \
             {network}\n  {subnet}\n\
             Or Kolla's init-runonce with:\n  {env}",
            self.interface, self.bridge, self.cidr, self.gateway
        )
    }
}

/// The external network the topology gives Neutron; `None` without
/// `[kolla]`, a `neutron_external_interface`, or a veth peer of it enslaved
/// to a bridge with an IPv4 address (see [`Topology::external_bridge`]).
pub fn external_network(topology: &Topology, facts: &Facts) -> Option<ExternalNetwork> {
    let bridge = topology.external_bridge().ok()?;
    let (cidr, gateway) = (bridge.subnet(), bridge.gateway());
    let mut taken = topology.declared_ipv4();
    taken.extend(facts.uplink_address);
    taken.extend(facts.gateway);
    taken.extend(facts.vip);
    taken.extend(facts.uplink_addresses.iter().map(Ipv4Net::addr));
    taken.extend(
        facts
            .protected
            .iter()
            .flat_map(|p| &p.addresses)
            .filter_map(|a| match a.addr() {
                IpAddr::V4(v4) => Some(v4),
                IpAddr::V6(_) => None,
            }),
    );
    let pool = pool(cidr, &taken)?;
    Some(ExternalNetwork {
        interface: bridge.interface.value,
        bridge: bridge.bridge.value,
        cidr,
        gateway,
        pool,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_gets_public1_on_dummy1s_subnet() {
        let text = include_str!("../../../examples/openstack-aio.toml");
        let topology = aio_topology::parse_str("openstack-aio.toml", text).unwrap();
        let facts = Facts {
            uplink: Some("eth0".into()),
            uplink_address: Some(Ipv4Addr::new(192, 0, 2, 10)),
            ..Facts::default()
        };
        let net = external_network(&topology, &facts).unwrap();
        assert_eq!(
            net.commands(),
            [
                "openstack network create --external --provider-network-type flat --provider-physical-network physnet1 public1",
                "openstack subnet create --no-dhcp --allocation-pool start=10.0.2.128,end=10.0.2.254 --network public1 --subnet-range 10.0.2.0/24 --gateway 10.0.2.2 public1-subnet",
            ]
        );
        assert_eq!(
            net.init_runonce(),
            [
                ("EXT_NET_CIDR", "10.0.2.0/24".to_string()),
                (
                    "EXT_NET_RANGE",
                    "start=10.0.2.128,end=10.0.2.254".to_string()
                ),
                ("EXT_NET_GATEWAY", "10.0.2.2".to_string()),
            ]
        );
        assert_eq!(
            (net.interface.as_str(), net.bridge.as_str()),
            ("veth-ovs", "dummy1")
        );
    }

    #[test]
    fn the_pool_is_the_longest_free_run_of_the_upper_half() {
        let net: Ipv4Net = "10.0.2.0/24".parse().unwrap();
        let a = |s: &str| s.parse::<Ipv4Addr>().unwrap();
        assert_eq!(
            pool(net, &[a("10.0.2.2")]),
            Some((a("10.0.2.128"), a("10.0.2.254")))
        );
        assert_eq!(
            pool(net, &[a("10.0.2.130")]),
            Some((a("10.0.2.131"), a("10.0.2.254")))
        );
        assert_eq!(
            pool(net, &[a("10.0.2.200")]),
            Some((a("10.0.2.128"), a("10.0.2.199")))
        );
        assert_eq!(pool("10.0.2.0/31".parse().unwrap(), &[]), None);
    }
}
