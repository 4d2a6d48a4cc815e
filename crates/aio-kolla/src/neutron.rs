//! Neutron's external network, derived from the topology: flat on
//! `physnet1` (Kolla maps the first `neutron_external_interface` to it),
//! on the subnet of the bridge that interface's veth peer is enslaved to,
//! with that bridge's address as the gateway, an allocation pool clear of
//! every host address (the upper half of the subnet, the longest run
//! without one) and no DHCP. Rendered as the `openstack` commands and as
//! the `EXT_NET_*` values of Kolla's `init-runonce`.

use ipnet::{IpNet, Ipv4Net};
use std::net::{IpAddr, Ipv4Addr};

use aio_topology::{Facts, InterfaceKind, Topology};

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
/// to a bridge with an IPv4 address.
pub fn external_network(topology: &Topology, facts: &Facts) -> Option<ExternalNetwork> {
    let kolla = topology.kolla.as_ref()?;
    let interface = kolla
        .globals
        .get("neutron_external_interface")?
        .value
        .as_str()?
        .split(',')
        .next()?
        .trim()
        .to_string();
    let peer = match &topology.interfaces.get(&interface)?.kind {
        InterfaceKind::Veth { peer } => peer.clone(),
        InterfaceKind::VethPeer { of } => of.clone(),
        _ => return None,
    };
    let bridge = topology
        .interfaces
        .get(&peer)?
        .master
        .as_ref()?
        .value
        .clone();
    let (gateway, cidr) = topology
        .interfaces
        .get(&bridge)?
        .addresses
        .iter()
        .find_map(|a| match a.value {
            IpNet::V4(net) => Some((net.addr(), net.trunc())),
            IpNet::V6(_) => None,
        })?;
    let mut taken: Vec<Ipv4Addr> = topology
        .interfaces
        .values()
        .flat_map(|i| &i.addresses)
        .filter_map(|a| match a.value.addr() {
            IpAddr::V4(v4) => Some(v4),
            IpAddr::V6(_) => None,
        })
        .collect();
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
        interface,
        bridge,
        cidr,
        gateway,
        pool,
    })
}

/// The longest run of the upper half of `net`'s hosts without a `taken` address.
fn pool(net: Ipv4Net, taken: &[Ipv4Addr]) -> Option<(Ipv4Addr, Ipv4Addr)> {
    if net.prefix_len() > 30 {
        return None;
    }
    let first = u32::from(net.network());
    let last = u32::from(net.broadcast()) - 1;
    let size = u32::from(net.broadcast()) - first + 1;
    let start = first + size / 2;
    let mut best: Option<(u32, u32)> = None;
    let mut run: Option<u32> = None;
    for a in start..=last + 1 {
        let free = a <= last && !taken.contains(&Ipv4Addr::from(a));
        match (free, run) {
            (true, None) => run = Some(a),
            (false, Some(s)) => {
                if best.is_none_or(|(bs, be)| a - 1 - s > be - bs) {
                    best = Some((s, a - 1));
                }
                run = None;
            }
            _ => {}
        }
    }
    best.map(|(s, e)| (Ipv4Addr::from(s), Ipv4Addr::from(e)))
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
