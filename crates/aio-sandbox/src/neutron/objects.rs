//! The scenario's objects, made through Neutron's API with the `openstack`
//! client, in the order a deployment makes them: the external network
//! (aio's printed commands), Octavia's management network and security
//! groups (Kolla's Octavia role), a tenant network and its router (a
//! user), ports bound to the chassis (Nova, Octavia) and a floating IP.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::path::Path;

use serde_json::Value;

use super::octavia::{self, SecurityGroup};
use super::{Design, Port};
use crate::openstack::Cloud;
use crate::ovn::CHASSIS;

/// The external network's name in aio's printed commands.
pub const EXTERNAL: &str = "public1";
pub const EXTERNAL_SUBNET: &str = "public1-subnet";
/// The security group that lets traffic from outside reach vm1.
const VM_INGRESS: &str = "vm-ingress";
/// The TCP port opened to vm1 (the proofs' listener).
pub const VM_TCP_PORT: u16 = 8080;

/// What Neutron allocated.
#[derive(Debug, Clone)]
pub struct Made {
    /// amp0, amp1 (the twin's), vm0, vm1.
    pub ports: Vec<Port>,
    /// The router's address on `public1`.
    pub router_gateway: Ipv4Addr,
    /// vm1's floating IP.
    pub floating_ip: Ipv4Addr,
    /// The groups Kolla's Octavia role made.
    pub octavia_groups: Vec<SecurityGroup>,
    /// The MTU Neutron gives `lb-mgmt-net`.
    pub amp_mtu: u32,
}

impl Made {
    pub fn port(&self, name: &str) -> &Port {
        self.ports
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no port {name}"))
    }
}

/// Makes every object; `external` holds aio's printed `openstack`
/// commands for `public1`; `kolla_venv` is where kolla-ansible's role is
/// read from; `globals` the topology's Kolla globals as strings.
pub fn make(
    cloud: &Cloud,
    d: &Design,
    external: &[String],
    kolla_venv: &Path,
    globals: &HashMap<String, String>,
) -> Result<Made, String> {
    for command in external {
        let args: Vec<&str> = command
            .strip_prefix("openstack ")
            .ok_or_else(|| format!("not an openstack command: {command}"))?
            .split_whitespace()
            .collect();
        cloud.openstack(&args)?;
    }
    let octavia_groups = octavia::security_groups(kolla_venv, globals)?;
    for group in &octavia_groups {
        cloud.openstack(&["security", "group", "create", &group.name])?;
        for rule in &group.rules {
            let args = rule.args(&group.name);
            cloud.openstack(&args.iter().map(String::as_str).collect::<Vec<_>>())?;
        }
    }
    let amp_mtu = amp_network(cloud, d, "lb-mgmt-net", d.amp_tag)?;
    amp_network(cloud, d, &d.twin(), d.wrong_tag())?;
    let router_gateway = tenant(cloud, d)?;
    cloud.openstack(&["security", "group", "create", VM_INGRESS])?;
    for rule in [
        vec!["--protocol", "icmp"],
        vec!["--protocol", "tcp", "--dst-port"],
    ] {
        let port = format!("{VM_TCP_PORT}:{VM_TCP_PORT}");
        let mut args = vec!["security", "group", "rule", "create", "--ingress"];
        args.extend(rule.iter().copied());
        if args.last() == Some(&"--dst-port") {
            args.push(&port);
        }
        args.push(VM_INGRESS);
        cloud.openstack(&args)?;
    }
    let amp_group = octavia_groups
        .first()
        .map(|g| g.name.as_str())
        .ok_or("Kolla's Octavia role makes no security group")?;
    let ports = vec![
        port(cloud, "amp0", "lb-mgmt-net", &[amp_group])?,
        port(cloud, "amp1", &d.twin(), &[amp_group])?,
        port(cloud, "vm0", "tenant", &["default"])?,
        port(cloud, "vm1", "tenant", &["default", VM_INGRESS])?,
    ];
    let fip = cloud.openstack(&["floating", "ip", "create", "--port", &ports[3].id, EXTERNAL])?;
    let floating_ip = address(&fip["floating_ip_address"])?;
    Ok(Made {
        ports,
        router_gateway,
        floating_ip,
        octavia_groups,
        amp_mtu,
    })
}

/// A VLAN provider network on the physnet with the subnet Kolla's
/// `octavia_amp_network` describes; returns its MTU.
fn amp_network(cloud: &Cloud, d: &Design, name: &str, tag: u16) -> Result<u32, String> {
    let tag = tag.to_string();
    let net = cloud.openstack(&[
        "network",
        "create",
        "--provider-network-type",
        "vlan",
        "--provider-physical-network",
        &d.physnet,
        "--provider-segment",
        &tag,
        name,
    ])?;
    let cidr = d.amp_net.to_string();
    let subnet = format!("{name}-subnet");
    let mut args = vec![
        "subnet",
        "create",
        "--network",
        name,
        "--subnet-range",
        &cidr,
        "--dhcp",
    ];
    let gateway = d.amp_gateway.map(|g| g.to_string());
    match &gateway {
        Some(g) => args.extend(["--gateway", g.as_str()]),
        None => args.extend(["--gateway", "none"]),
    }
    let pool = d
        .amp_pool
        .map(|(start, end)| format!("start={start},end={end}"));
    if let Some(pool) = &pool {
        args.extend(["--allocation-pool", pool.as_str()]);
    }
    args.push(&subnet);
    cloud.openstack(&args)?;
    mtu(&net)
}

/// The tenant network, its subnet and a router with its gateway on
/// `public1`; returns the router's external address.
fn tenant(cloud: &Cloud, d: &Design) -> Result<Ipv4Addr, String> {
    cloud.openstack(&["network", "create", "tenant"])?;
    let cidr = d.tenant().to_string();
    cloud.openstack(&[
        "subnet",
        "create",
        "--network",
        "tenant",
        "--subnet-range",
        &cidr,
        "tenant-subnet",
    ])?;
    cloud.openstack(&["router", "create", "router1"])?;
    cloud.openstack_unit(&["router", "set", "--external-gateway", EXTERNAL, "router1"])?;
    cloud.openstack_unit(&["router", "add", "subnet", "router1", "tenant-subnet"])?;
    let router = cloud.openstack(&["router", "show", "router1"])?;
    address(&router["external_gateway_info"]["external_fixed_ips"][0]["ip_address"])
}

/// A port for guest `name` on `network`, bound to the sandbox's chassis
/// as Nova binds an instance's port.
fn port(cloud: &Cloud, name: &'static str, network: &str, groups: &[&str]) -> Result<Port, String> {
    let mut args = vec![
        "port",
        "create",
        "--network",
        network,
        "--host",
        CHASSIS,
        "--device-owner",
        "compute:nova",
    ];
    for group in groups {
        args.extend(["--security-group", group]);
    }
    args.push(name);
    let port = cloud.openstack(&args)?;
    let fixed = &port["fixed_ips"][0];
    let subnet = cloud.openstack(&["subnet", "show", text(&fixed["subnet_id"])?])?;
    let net = cloud.openstack(&["network", "show", network])?;
    let cidr: ipnet::Ipv4Net = text(&subnet["cidr"])?
        .parse()
        .map_err(|e| format!("subnet cidr: {e}"))?;
    Ok(Port {
        name,
        id: text(&port["id"])?.to_string(),
        network: network.to_string(),
        mac: text(&port["mac_address"])?.to_string(),
        address: address(&fixed["ip_address"])?,
        prefix: cidr.prefix_len(),
        gateway: subnet["gateway_ip"].as_str().and_then(|g| g.parse().ok()),
        mtu: mtu(&net)?,
    })
}

/// Waits until Neutron says every port is ACTIVE (a real ovn-controller
/// claimed it), for at most `deadline`.
pub fn wait_active(
    cloud: &Cloud,
    ports: &[Port],
    deadline: std::time::Duration,
) -> Result<(), String> {
    let started = std::time::Instant::now();
    loop {
        let listed = cloud.openstack(&["port", "list", "--long"])?;
        let status = |id: &str| {
            listed
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["ID"] == id)
                .map(|p| p["Status"].clone())
        };
        let down: Vec<String> = ports
            .iter()
            .filter_map(|port| match status(&port.id) {
                Some(s) if s == "ACTIVE" => None,
                other => Some(format!("{} {}", port.name, other.unwrap_or_default())),
            })
            .collect();
        if down.is_empty() {
            return Ok(());
        }
        if started.elapsed() > deadline {
            return Err(format!(
                "ports not ACTIVE after {} s: {}",
                deadline.as_secs(),
                down.join(", ")
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

fn text(value: &Value) -> Result<&str, String> {
    value
        .as_str()
        .ok_or_else(|| format!("expected a string from Neutron, got {value}"))
}

fn address(value: &Value) -> Result<Ipv4Addr, String> {
    text(value)?
        .parse()
        .map_err(|e| format!("{value} is not an IPv4 address: {e}"))
}

fn mtu(network: &Value) -> Result<u32, String> {
    network["mtu"]
        .as_u64()
        .and_then(|m| u32::try_from(m).ok())
        .ok_or_else(|| format!("the network has no MTU: {network}"))
}
