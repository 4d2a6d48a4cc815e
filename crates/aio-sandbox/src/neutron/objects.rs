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
    /// The one of them Octavia gives an amphora's port.
    pub amp_group: String,
    /// router1's MAC on the tenant network (the VMs' gateway) and on
    /// `public1` (which answers for the floating IP).
    pub router_inside_mac: String,
    pub router_outside_mac: String,
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

/// The scenario's `openstack` commands, run in one batch; each command's
/// output is found again by the index [`Batch::add`] returned.
#[derive(Default)]
struct Batch {
    commands: Vec<Vec<String>>,
}

impl Batch {
    /// Adds `args`, asking for JSON when `json`; its index.
    fn add(&mut self, args: &[&str], json: bool) -> usize {
        let mut command: Vec<String> = args.iter().map(|a| (*a).to_string()).collect();
        if json {
            command.extend(["-f".into(), "json".into()]);
        }
        self.commands.push(command);
        self.commands.len() - 1
    }
}

/// The outputs of a batch, parsed where they are JSON.
struct Outputs(Vec<String>);

impl Outputs {
    fn json(&self, index: usize) -> Result<Value, String> {
        let text = self.0.get(index).ok_or("a command's output is missing")?;
        serde_json::from_str(text).map_err(|e| format!("{e}: {text}"))
    }
}

/// A port to make: the guest's name, its network and groups.
struct Wanted {
    name: &'static str,
    network: String,
    groups: Vec<String>,
}

/// Makes every object in one batch of `openstack` commands; `external`
/// holds aio's printed commands for `public1`; `kolla_venv` is where
/// kolla-ansible's role is read from; `globals` the topology's Kolla
/// globals as strings.
pub fn make(
    cloud: &Cloud,
    d: &Design,
    external: &[String],
    kolla_venv: &Path,
    globals: &HashMap<String, String>,
) -> Result<Made, String> {
    let mut batch = Batch::default();
    for command in external {
        let args: Vec<&str> = command
            .strip_prefix("openstack ")
            .ok_or_else(|| format!("not an openstack command: {command}"))?
            .split_whitespace()
            .collect();
        batch.add(&args, false);
    }
    let octavia_groups = octavia::security_groups(kolla_venv, globals)?;
    for group in &octavia_groups {
        batch.add(&["security", "group", "create", &group.name], false);
        for rule in &group.rules {
            let args = rule.args(&group.name);
            batch.add(&args.iter().map(String::as_str).collect::<Vec<_>>(), false);
        }
    }
    let amp_net = amp_network(&mut batch, d, "lb-mgmt-net", d.amp_tag);
    amp_network(&mut batch, d, &d.twin(), d.wrong_tag());
    let (tenant_net, tenant_subnet, router) = tenant(&mut batch, d);
    batch.add(&["security", "group", "create", VM_INGRESS], false);
    let tcp = format!("{VM_TCP_PORT}:{VM_TCP_PORT}");
    for rule in [
        vec!["--protocol", "icmp"],
        vec!["--protocol", "tcp", "--dst-port", &tcp],
    ] {
        let mut args = vec!["security", "group", "rule", "create", "--ingress"];
        args.extend(rule);
        args.push(VM_INGRESS);
        batch.add(&args, false);
    }
    let amp_group = octavia_groups
        .first()
        .map(|g| g.name.clone())
        .ok_or("Kolla's Octavia role makes no security group")?;
    let wanted = |name, network: &str, groups: &[&str]| Wanted {
        name,
        network: network.to_string(),
        groups: groups.iter().map(|g| (*g).to_string()).collect(),
    };
    let wanted = [
        wanted("amp0", "lb-mgmt-net", &[&amp_group]),
        wanted("amp1", &d.twin(), &[&amp_group]),
        wanted("vm0", "tenant", &["default"]),
        wanted("vm1", "tenant", &["default", VM_INGRESS]),
    ];
    let port_indices: Vec<usize> = wanted.iter().map(|w| port(&mut batch, w)).collect();
    let fip = batch.add(
        &["floating", "ip", "create", "--port", "vm1", EXTERNAL],
        true,
    );
    let inside = batch.add(
        &["port", "list", "--device-owner", "network:router_interface"],
        true,
    );
    let outside = batch.add(
        &["port", "list", "--device-owner", "network:router_gateway"],
        true,
    );
    let out = Outputs(cloud.openstack_batch(&batch.commands)?);

    let amp_mtu = mtu(&out.json(amp_net)?)?;
    let tenant_mtu = mtu(&out.json(tenant_net)?)?;
    let tenant_gateway = out.json(tenant_subnet)?["gateway_ip"]
        .as_str()
        .and_then(|g| g.parse().ok());
    let mut ports = Vec::new();
    for (w, index) in wanted.iter().zip(port_indices) {
        let shown = out.json(index)?;
        let fixed = &shown["fixed_ips"][0];
        let on_tenant = w.network == "tenant";
        ports.push(Port {
            name: w.name,
            id: text(&shown["id"])?.to_string(),
            network: w.network.clone(),
            mac: text(&shown["mac_address"])?.to_string(),
            address: address(&fixed["ip_address"])?,
            prefix: if on_tenant { d.tenant() } else { d.amp_net }.prefix_len(),
            gateway: if on_tenant {
                tenant_gateway
            } else {
                d.amp_gateway
            },
            mtu: if on_tenant { tenant_mtu } else { amp_mtu },
        });
    }
    let router = out.json(router)?;
    Ok(Made {
        ports,
        router_gateway: address(
            &router["external_gateway_info"]["external_fixed_ips"][0]["ip_address"],
        )?,
        floating_ip: address(&out.json(fip)?["floating_ip_address"])?,
        octavia_groups,
        amp_group,
        router_inside_mac: only_mac(&out.json(inside)?, "router1's interface on tenant")?,
        router_outside_mac: only_mac(&out.json(outside)?, "router1's gateway on public1")?,
        amp_mtu,
    })
}

/// A VLAN provider network on the physnet with the subnet Kolla's
/// `octavia_amp_network` describes; the index of the network's JSON.
fn amp_network(batch: &mut Batch, d: &Design, name: &str, tag: u16) -> usize {
    let tag = tag.to_string();
    let net = batch.add(
        &[
            "network",
            "create",
            "--provider-network-type",
            "vlan",
            "--provider-physical-network",
            &d.physnet,
            "--provider-segment",
            &tag,
            name,
        ],
        true,
    );
    let cidr = d.amp_net.to_string();
    let subnet = format!("{name}-subnet");
    let gateway = d.amp_gateway.map_or("none".to_string(), |g| g.to_string());
    let mut args = vec![
        "subnet",
        "create",
        "--network",
        name,
        "--subnet-range",
        &cidr,
        "--dhcp",
        "--gateway",
        &gateway,
    ];
    let pool = d
        .amp_pool
        .map(|(start, end)| format!("start={start},end={end}"));
    if let Some(pool) = &pool {
        args.extend(["--allocation-pool", pool.as_str()]);
    }
    args.push(&subnet);
    batch.add(&args, false);
    net
}

/// The tenant network, its subnet and a router with its gateway on
/// `public1`; the indices of the network's, the subnet's and the
/// router's JSON.
fn tenant(batch: &mut Batch, d: &Design) -> (usize, usize, usize) {
    let net = batch.add(&["network", "create", "tenant"], true);
    let cidr = d.tenant().to_string();
    let subnet = batch.add(
        &[
            "subnet",
            "create",
            "--network",
            "tenant",
            "--subnet-range",
            &cidr,
            "tenant-subnet",
        ],
        true,
    );
    batch.add(&["router", "create", "router1"], false);
    batch.add(
        &["router", "set", "--external-gateway", EXTERNAL, "router1"],
        false,
    );
    batch.add(
        &["router", "add", "subnet", "router1", "tenant-subnet"],
        false,
    );
    let router = batch.add(&["router", "show", "router1"], true);
    (net, subnet, router)
}

/// A port for a guest, bound to the sandbox's chassis as Nova binds an
/// instance's port; the index of its JSON.
fn port(batch: &mut Batch, wanted: &Wanted) -> usize {
    let mut args = vec![
        "port",
        "create",
        "--network",
        &wanted.network,
        "--host",
        CHASSIS,
        "--device-owner",
        "compute:nova",
    ];
    for group in &wanted.groups {
        args.extend(["--security-group", group.as_str()]);
    }
    args.push(wanted.name);
    batch.add(&args, true)
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

/// The MAC of the one port `listed` (`port list -f json`) holds.
fn only_mac(listed: &Value, what: &str) -> Result<String, String> {
    match listed.as_array().map(Vec::as_slice) {
        Some([port]) => Ok(text(&port["MAC Address"])?.to_string()),
        _ => Err(format!("not exactly one port for {what}: {listed}")),
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
