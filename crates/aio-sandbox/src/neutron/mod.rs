//! What the real Neutron makes for this design, through its API (the
//! `openstack` client of [`crate::openstack`]):
//!
//! - the external network `public1` from the commands `aio show` prints
//!   (flat on physnet1, `dummy1`'s subnet, `dummy1`'s address as gateway);
//! - Octavia's `lb-mgmt-net` as Kolla's Octavia role makes it for
//!   `octavia_network_type: provider` (the topology's
//!   `octavia_amp_network`), its security group `lb-mgmt-sec-grp` with the
//!   role's rules ([`octavia`]), and a twin on the VLAN just below it,
//!   which must not reach the health manager;
//! - a tenant (geneve) network behind a router whose gateway is on
//!   `public1`, and a floating IP;
//! - ports bound to the sandbox's chassis for the guests (amphorae, VMs).
//!
//! [`Design`] is what the topology says; [`objects`] makes the objects;
//! [`Port`] is a port as Neutron reports it.

pub mod objects;
pub mod octavia;

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

/// The lab's own tenant network (nothing in the topology names one).
const TENANT: &str = "192.168.100.0/24";

/// What the topology says about the networks Neutron makes on it.
#[derive(Debug, Clone)]
pub struct Design {
    /// `octavia_amp_network.provider_physical_network`.
    pub physnet: String,
    /// The Kolla-made bridge physnet1 maps to (`provided_by = "kolla"`).
    pub bridge: String,
    /// `octavia_amp_network.provider_segmentation_id`.
    pub amp_tag: u16,
    /// `octavia_amp_network_cidr`.
    pub amp_net: Ipv4Net,
    /// `octavia_amp_network.subnet`'s gateway and allocation pool.
    pub amp_gateway: Option<Ipv4Addr>,
    pub amp_pool: Option<(Ipv4Addr, Ipv4Addr)>,
    /// The address of `octavia_network_interface` (the health manager's).
    pub health_manager: Ipv4Addr,
    /// `octavia_network_interface` itself (`v-lbaas`).
    pub health_manager_link: String,
    /// The outside world's address (dummy1's): the interface holding an
    /// address in the NAT source network.
    pub outside: Ipv4Net,
    /// The interface holding it (`dummy1`, the external bridge).
    pub outside_link: String,
    /// The physnet's MTU (`global_physnet_mtu`).
    pub mtu: u32,
    /// `network_vlan_ranges` from the topology's ml2 override.
    pub vlan_ranges: String,
}

impl Design {
    /// Reads the design from the text of a topology; panics naming what is missing.
    pub fn read(text: &str) -> Design {
        let t = aio_topology::parse_str("reference", text)
            .unwrap_or_else(|d| panic!("the topology does not validate:\n{d}"));
        let kolla = t.kolla.as_ref().expect("a [kolla] table");
        let global = |key: &str| {
            &kolla
                .globals
                .get(key)
                .unwrap_or_else(|| panic!("[kolla.globals] has no {key}"))
                .value
        };
        let amp = global("octavia_amp_network");
        let amp_field = |key: &str| {
            amp.get(key)
                .unwrap_or_else(|| panic!("octavia_amp_network has no {key}"))
        };
        let subnet_address = |key: &str| {
            amp.get("subnet")
                .and_then(|s| s.get(key))
                .and_then(|v| v.as_str())
                .and_then(|s| s.parse::<Ipv4Addr>().ok())
        };
        let first_address = |name: &str| {
            let iface = t.interfaces.get(name);
            let net = iface.and_then(|i| i.addresses.first()).map(|a| a.value);
            match net {
                Some(ipnet::IpNet::V4(net)) => net,
                _ => panic!("interface {name} has no IPv4 address in the topology"),
            }
        };
        let hm = global("octavia_network_interface")
            .as_str()
            .expect("a name");
        let nat = t.nat.first().expect("a [[nat]] rule").source;
        let (outside_link, outside) = t
            .interfaces
            .iter()
            .flat_map(|(name, i)| i.addresses.iter().map(move |a| (name, a)))
            .find_map(|(name, a)| match a.value {
                ipnet::IpNet::V4(n) if nat.contains(&n.addr()) => Some((name.to_string(), n)),
                _ => None,
            })
            .expect("an interface with an address in the NAT source network");
        let bridge = t.ovs.as_ref().and_then(|o| {
            o.bridges
                .values()
                .find(|b| b.provided_by_kolla)
                .map(|b| b.name.clone())
        });
        let physnet = amp_field("provider_physical_network")
            .as_str()
            .expect("a physnet name")
            .to_string();
        let vlan_ranges = kolla
            .config
            .iter()
            .filter(|(file, _)| file.ends_with("ml2_conf.ini"))
            .find_map(|(_, sections)| {
                sections
                    .get("ml2_type_vlan")?
                    .get("network_vlan_ranges")?
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_else(|| physnet.clone());
        Design {
            bridge: bridge.expect("a bridge provided by Kolla"),
            amp_tag: amp_field("provider_segmentation_id")
                .as_integer()
                .and_then(|i| u16::try_from(i).ok())
                .expect("a VLAN id"),
            amp_net: global("octavia_amp_network_cidr")
                .as_str()
                .and_then(|s| s.parse().ok())
                .expect("an IPv4 network"),
            amp_gateway: subnet_address("gateway_ip"),
            amp_pool: subnet_address("allocation_pool_start")
                .zip(subnet_address("allocation_pool_end")),
            health_manager: first_address(hm).addr(),
            health_manager_link: hm.to_string(),
            outside,
            outside_link,
            mtu: t.physnet_mtu().map_or(1500, |p| p.mtu),
            vlan_ranges,
            physnet,
        }
    }

    /// The VLAN of the `lb-mgmt-net` twin that must stay isolated.
    pub fn wrong_tag(&self) -> u16 {
        assert!(
            self.amp_tag > 1,
            "lb-mgmt-net's VLAN {} has no VLAN below it for the twin",
            self.amp_tag
        );
        self.amp_tag - 1
    }

    pub fn tenant(&self) -> Ipv4Net {
        TENANT.parse().expect("a network")
    }

    /// The twin of `lb-mgmt-net` on [`Design::wrong_tag`].
    pub fn twin(&self) -> String {
        format!("lb-mgmt-net-vlan{}", self.wrong_tag())
    }
}

/// A Neutron port and the guest (namespace) behind it, as Neutron
/// reports it.
#[derive(Debug, Clone)]
pub struct Port {
    /// The guest, and its veth end on `br-int`.
    pub name: &'static str,
    /// Neutron's id: the logical switch port's name, the `iface-id`.
    pub id: String,
    /// The network's name.
    pub network: String,
    pub mac: String,
    pub address: Ipv4Addr,
    pub prefix: u8,
    pub gateway: Option<Ipv4Addr>,
    /// The network's MTU, as Neutron gives it.
    pub mtu: u32,
}

/// The `n`th address of `net`.
pub fn nth(net: Ipv4Net, n: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(net.network()) + n)
}
