//! What Neutron (ML2/OVN) and Nova/Octavia make for this design, made with
//! `ovn-nbctl` and `ovs-vsctl` the way they make it:
//!
//! - the external network: a flat provider network on physnet1, a logical
//!   switch with a `localnet` port (`network_name=physnet1`);
//! - Octavia's `lb-mgmt-net`: a VLAN provider network, a `localnet` port on
//!   physnet1 tagged with `provider_segmentation_id` (read from the
//!   topology's `octavia_amp_network`), and a twin on the VLAN just below
//!   it, which must not reach the health manager;
//! - a tenant (geneve) network behind a router whose gateway port is on the
//!   external network, scheduled to the chassis, with a default route via
//!   the outside world's address (dummy1's), SNAT for the tenant network
//!   and a floating IP;
//! - guests (amphorae, VMs): namespaces plugged into `br-int` by veth pairs
//!   whose `br-int` end carries `external_ids:iface-id`, as Nova's and
//!   Octavia's VIF plugging does.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::ovn::{CHASSIS, Ovn};

/// Geneve's overhead as Neutron's OVN driver counts it (38-byte header plus
/// the IPv4 header): a tenant network's MTU is the physnet's less this.
const GENEVE_OVERHEAD: u32 = 58;
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
    /// The address of `octavia_network_interface` (the health manager's).
    pub health_manager: Ipv4Addr,
    /// The outside world's address (dummy1's): the interface holding an
    /// address in the NAT source network.
    pub outside: Ipv4Net,
    /// The physnet's MTU, as Neutron gives it.
    pub mtu: u32,
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
        let outside = t
            .interfaces
            .values()
            .flat_map(|i| &i.addresses)
            .find_map(|a| match a.value {
                ipnet::IpNet::V4(n) if nat.contains(&n.addr()) => Some(n),
                _ => None,
            })
            .expect("an interface with an address in the NAT source network");
        let bridge = t.ovs.as_ref().and_then(|o| {
            o.bridges
                .values()
                .find(|b| b.provided_by_kolla)
                .map(|b| b.name.clone())
        });
        Design {
            physnet: amp_field("provider_physical_network")
                .as_str()
                .expect("a physnet name")
                .to_string(),
            bridge: bridge.expect("a bridge provided by Kolla"),
            amp_tag: amp_field("provider_segmentation_id")
                .as_integer()
                .and_then(|i| u16::try_from(i).ok())
                .expect("a VLAN id"),
            amp_net: global("octavia_amp_network_cidr")
                .as_str()
                .and_then(|s| s.parse().ok())
                .expect("an IPv4 network"),
            health_manager: first_address(hm).addr(),
            outside,
            mtu: t.physnet_mtu().map_or(1500, |p| p.mtu),
        }
    }

    /// The VLAN of the `lb-mgmt-net` twin that must stay isolated.
    pub fn wrong_tag(&self) -> u16 {
        self.amp_tag - 1
    }

    /// The router's address on the external network.
    pub fn router_gateway(&self) -> Ipv4Addr {
        nth(self.outside, 100)
    }

    /// The floating IP.
    pub fn floating_ip(&self) -> Ipv4Addr {
        nth(self.outside, 101)
    }

    pub fn tenant(&self) -> Ipv4Net {
        TENANT.parse().expect("a network")
    }

    /// The ports guests get, as Neutron allocates them.
    pub fn ports(&self) -> Vec<Port> {
        let tenant_mtu = self.mtu - GENEVE_OVERHEAD;
        let tenant = self.tenant();
        let port = |name, network: String, net: Ipv4Net, n, gateway, mtu| Port {
            name,
            network,
            address: nth(net, n),
            prefix: net.prefix_len(),
            gateway,
            mtu,
        };
        vec![
            port(
                "amp0",
                "lb-mgmt-net".into(),
                self.amp_net,
                10,
                None,
                self.mtu,
            ),
            port("amp1", self.twin(), self.amp_net, 11, None, self.mtu),
            port(
                "vm0",
                "tenant".into(),
                tenant,
                10,
                Some(nth(tenant, 1)),
                tenant_mtu,
            ),
            port(
                "vm1",
                "tenant".into(),
                tenant,
                11,
                Some(nth(tenant, 1)),
                tenant_mtu,
            ),
        ]
    }

    fn twin(&self) -> String {
        format!("lb-mgmt-net-vlan{}", self.wrong_tag())
    }
}

/// A Neutron port and the guest (namespace) behind it.
#[derive(Debug, Clone)]
pub struct Port {
    /// The guest, its veth end on `br-int`, and the logical port's name.
    pub name: &'static str,
    /// The logical switch.
    pub network: String,
    pub address: Ipv4Addr,
    pub prefix: u8,
    pub gateway: Option<Ipv4Addr>,
    pub mtu: u32,
}

/// The `n`th address of `net`.
pub fn nth(net: Ipv4Net, n: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(net.network()) + n)
}

/// Makes the networks, the router, SNAT and the floating IP.
pub fn make_networks(ovn: &Ovn, d: &Design) {
    let physnet = d.physnet.as_str();
    provider(ovn, "public", physnet, None);
    provider(ovn, "lb-mgmt-net", physnet, Some(d.amp_tag));
    provider(ovn, &d.twin(), physnet, Some(d.wrong_tag()));
    ovn.nbctl(&["ls-add", "tenant"]);
    let prefix = d.outside.prefix_len();
    let gateway = format!("{}/{prefix}", d.router_gateway());
    let inside = format!("{}/{}", nth(d.tenant(), 1), d.tenant().prefix_len());
    ovn.nbctl(&["lr-add", "router"]);
    router_port(ovn, "public", "lrp-public", "fa:16:3e:00:00:01", &gateway);
    router_port(ovn, "tenant", "lrp-tenant", "fa:16:3e:00:00:02", &inside);
    // The external gateway scheduled to the chassis (Neutron: the chassis
    // with enable-chassis-as-gw).
    ovn.nbctl(&["lrp-set-gateway-chassis", "lrp-public", CHASSIS, "1"]);
    let next_hop = d.outside.addr().to_string();
    ovn.nbctl(&["lr-route-add", "router", "0.0.0.0/0", &next_hop]);
    let tenant = d.tenant().to_string();
    let router_ip = d.router_gateway().to_string();
    ovn.nbctl(&["lr-nat-add", "router", "snat", &router_ip, &tenant]);
    let fip = d.floating_ip().to_string();
    let vm1 = d.ports()[3].address.to_string();
    ovn.nbctl(&["lr-nat-add", "router", "dnat_and_snat", &fip, &vm1]);
}

/// A provider network: a switch with a `localnet` port on `physnet`.
fn provider(ovn: &Ovn, switch: &str, physnet: &str, tag: Option<u16>) {
    let port = format!("provnet-{switch}");
    let network_name = format!("network_name={physnet}");
    let mut args: Vec<&str> = vec![
        "ls-add",
        switch,
        "--",
        "lsp-add",
        switch,
        &port,
        "--",
        "lsp-set-type",
        &port,
        "localnet",
        "--",
        "lsp-set-addresses",
        &port,
        "unknown",
        "--",
        "lsp-set-options",
        &port,
        &network_name,
    ];
    let tag = tag.map(|t| format!("tag={t}"));
    if let Some(tag) = &tag {
        args.extend([
            "--",
            "set",
            "logical_switch_port",
            port.as_str(),
            tag.as_str(),
        ]);
    }
    ovn.nbctl(&args);
}

/// A router port `lrp` with `cidr`, and its peer on `switch`.
fn router_port(ovn: &Ovn, switch: &str, lrp: &str, mac: &str, cidr: &str) {
    let peer = format!("{switch}-router");
    let options = format!("router-port={lrp}");
    let mut args: Vec<&str> = vec![
        "lrp-add",
        "router",
        lrp,
        mac,
        cidr,
        "--",
        "lsp-add",
        switch,
        &peer,
        "--",
        "lsp-set-type",
        &peer,
        "router",
        "--",
        "lsp-set-addresses",
        &peer,
        "router",
        "--",
        "lsp-set-options",
        &peer,
        &options,
    ];
    // On the external network, the router answers ARP for its NAT addresses.
    if switch == "public" {
        args.push("nat-addresses=router");
    }
    ovn.nbctl(&args);
}

/// The logical port for `port`, whose guest has `mac`, with port security.
pub fn make_port(ovn: &Ovn, port: &Port, mac: &str) {
    let addresses = format!("{mac} {}", port.address);
    ovn.nbctl(&[
        "lsp-add",
        &port.network,
        port.name,
        "--",
        "lsp-set-addresses",
        port.name,
        &addresses,
        "--",
        "lsp-set-port-security",
        port.name,
        &addresses,
    ]);
}
