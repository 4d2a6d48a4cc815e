//! The all-in-one host in a sandbox, wired by the real Neutron and OVN,
//! proven by traffic. Shared by `cargo xtask demo` and the data-path
//! test, so both run one scenario:
//!
//! - a host namespace (uplink `eth0`) and an upstream router with no route
//!   back to the outside world's network, so only NAT can answer;
//! - a private ovsdb-server and an ovs-vswitchd (userspace datapath) in the
//!   host, standing in for Kolla's openvswitch containers, and real OVN
//!   ([`crate::ovn`]) for Kolla's ovn containers;
//! - the real Keystone and neutron-server ([`crate::openstack`]) with
//!   Kolla's ML2/OVN settings, on that OVN;
//! - the reference topology, planned and applied by the real `aio`;
//! - Neutron's networks, security groups, router and floating IP made
//!   through its API ([`crate::neutron`]), and guests (amphorae, VMs)
//!   plugged into `br-int` as Nova and Octavia plug them (`guests`);
//! - proofs by traffic between the namespaces made here (`proofs`);
//! - a reboot: every daemon down (their databases kept), aio's links gone,
//!   forwarding and NAT reset; then aio first, daemons later.
//!
//! The userspace datapath does not complete partial checksums, which the
//! kernel leaves to a veth's "hardware": the harness turns transmit
//! offloads off on the links that feed OVS (a property of this datapath,
//! not of a host, so aio does not).

mod gateway;
mod guests;
mod proofs;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub use proofs::Proof;

use crate::neutron::objects::{self, Made};
use crate::neutron::{Design, octavia};
use crate::openstack::{Cloud, NeutronSettings, OvnEndpoints};
use crate::ovn::Ovn;
use crate::ovs::{Ovsdb, Vswitchd};
use crate::{Guest, KOLLA_VENV, Sandbox, UPLINK_ADDRESS, sandboxed_reference};

/// How long Neutron may take to see every port claimed.
const ACTIVE_DEADLINE: Duration = Duration::from_secs(120);

/// Fields drop in order: Neutron and Keystone, the OVS and OVN daemons,
/// then the guests, then the host.
pub struct Lab {
    cloud: Cloud,
    pub ovn: Ovn,
    vswitchd: Option<Vswitchd>,
    pub ovsdb: Ovsdb,
    guests: Vec<Guest>,
    pub host: Sandbox,
    aio: PathBuf,
    work: tempfile::TempDir,
    pub topology: PathBuf,
    pub design: Design,
    /// The topology's Kolla globals, as strings (for Kolla's variables).
    globals: HashMap<String, String>,
    /// What Neutron made, once [`Lab::neutron`] ran.
    pub made: Option<Made>,
    /// The reference topology the lab was made with, as given.
    reference: String,
}

/// What one `aio` run said.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Lab {
    /// The sandbox with OVS, OVN, Keystone and neutron-server running and
    /// `br-ex` not yet made; `reference` is the text of the reference
    /// topology, run with `aio` (a binary path).
    pub fn new(name: &str, aio: &Path, reference: &str) -> Lab {
        let design = Design::read(reference);
        let host = Sandbox::new(name);
        let ovsdb = Ovsdb::start(&[]);
        let vswitchd = Some(Vswitchd::start(&host.ns, &ovsdb));
        let address = UPLINK_ADDRESS.split('/').next().expect("an address");
        let mappings = format!("{}:{}", design.physnet, design.bridge);
        let ovn = Ovn::start(&host.ns, &ovsdb, address, &mappings);
        let settings = NeutronSettings {
            physnet: design.physnet.clone(),
            physnet_mtu: design.mtu,
            vlan_ranges: design.vlan_ranges.clone(),
        };
        let endpoints = OvnEndpoints {
            nb: ovn.nb(),
            sb: ovn.sb(),
        };
        let cloud = Cloud::start(&host.ns, &endpoints, &settings)
            .unwrap_or_else(|e| panic!("Keystone and neutron-server did not start: {e}"));
        let work = tempfile::Builder::new()
            .prefix("aio-lab-")
            .tempdir()
            .expect("a temp dir");
        let topology = work.path().join("openstack-aio.toml");
        let text = sandboxed_reference(reference, &ovsdb.unix(), &work.path().join("kolla"), false);
        std::fs::write(&topology, text).expect("the topology is written");
        Lab {
            cloud,
            aio: aio.to_path_buf(),
            host,
            ovsdb,
            vswitchd,
            ovn,
            work,
            topology,
            guests: Vec::new(),
            globals: globals(reference),
            reference: reference.to_string(),
            design,
            made: None,
        }
    }

    /// `aio COMMAND ARGS -f TOPOLOGY --netns HOST --state-dir STATE`.
    pub fn aio(&self, command: &str, args: &[&str]) -> Run {
        self.aio_with(command, args, &[])
    }

    /// [`Lab::aio`] with `env` set (Kolla's stand-in and what it reads).
    pub fn aio_with(&self, command: &str, args: &[&str], env: &[(&str, &Path)]) -> Run {
        let out = Command::new(&self.aio)
            .envs(env.iter().copied())
            .arg(command)
            .args(args)
            .arg("-f")
            .arg(&self.topology)
            .args(["--netns", &self.host.ns, "--state-dir"])
            .arg(self.work.path().join("state"))
            .output()
            .expect("aio runs");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into(),
            stderr: String::from_utf8_lossy(&out.stderr).into(),
        }
    }

    /// Rewrites the lab's topology file from `reference` (as an operator
    /// edits theirs); the next `aio` run reads it.
    pub fn edit_topology(&self, reference: &str) {
        let text = sandboxed_reference(
            reference,
            &self.ovsdb.unix(),
            &self.work.path().join("kolla"),
            false,
        );
        std::fs::write(&self.topology, text).expect("the topology is written");
    }

    /// What must be gone once the lab is dropped: the process ids of
    /// every daemon (OVS, OVN, MariaDB, Keystone, neutron-server) and the
    /// lab's directories.
    pub fn traces(&self) -> (Vec<u32>, Vec<PathBuf>) {
        let mut pids = vec![self.ovsdb.pid()];
        pids.extend(self.vswitchd.as_ref().map(Vswitchd::pid));
        pids.extend(self.ovn.pids());
        pids.extend(self.cloud.pids().into_iter().map(|(_, pid)| pid));
        let dirs = vec![
            self.work.path().to_path_buf(),
            self.ovn.dir().to_path_buf(),
            self.ovsdb.dir().to_path_buf(),
            self.cloud.dir().to_path_buf(),
        ];
        (pids, dirs)
    }

    /// The cloud's API, through the `openstack` client.
    pub fn cloud(&self) -> &Cloud {
        &self.cloud
    }

    /// What Kolla's openvswitch role does at deploy: `br-ex` with the
    /// `neutron_external_interface` (veth-ovs) as its physnet1 port.
    pub fn kolla_makes_br_ex(&self) {
        let bridge = self.design.bridge.as_str();
        let datapath = format!("bridge {bridge} datapath_type=netdev");
        let mut args = vec!["--may-exist", "add-br", bridge, "--", "set"];
        args.extend(datapath.split(' '));
        self.ovsdb.vsctl(&args);
        self.ovsdb
            .vsctl(&["--may-exist", "add-port", bridge, "veth-ovs"]);
    }

    /// What Kolla's Octavia role makes: `lb-mgmt-net`, VLAN `segment` on
    /// physnet1, and its subnet with the health manager's address as gateway.
    pub fn kolla_makes_lb_mgmt_net(&self, segment: u16) -> Result<(), String> {
        let segment = segment.to_string();
        self.cloud.openstack_unit(&[
            "network",
            "create",
            "--provider-network-type",
            "vlan",
            "--provider-physical-network",
            "physnet1",
            "--provider-segment",
            &segment,
            "lb-mgmt-net",
        ])?;
        self.cloud.openstack_unit(&[
            "subnet",
            "create",
            "--network",
            "lb-mgmt-net",
            "--subnet-range",
            "172.18.0.0/16",
            "--gateway",
            "172.18.255.254",
            "lb-mgmt-subnet",
        ])
    }

    /// The `openstack` commands `aio show` prints for Neutron's external
    /// network.
    pub fn printed_commands(&self) -> Vec<String> {
        let shown = self.aio("show", &[]);
        assert_eq!(shown.code, Some(0), "aio show: {}", shown.stderr);
        shown
            .stdout
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("openstack "))
            .map(str::to_string)
            .collect()
    }

    /// What a deployment and its users do through Neutron's API: the
    /// external network (aio's printed commands), Octavia's network and
    /// groups (Kolla's role), a tenant network and router, ports and a
    /// floating IP; then the guests are plugged and every port is ACTIVE.
    pub fn neutron(&mut self) -> Result<(), String> {
        let commands = self.printed_commands();
        if commands.len() != 2 {
            return Err(format!(
                "aio show printed {} openstack command(s), not the network's and the subnet's",
                commands.len()
            ));
        }
        let made = objects::make(
            &self.cloud,
            &self.design,
            &commands,
            Path::new(KOLLA_VENV),
            &self.globals,
        )?;
        for port in &made.ports {
            let guest = guests::plug(&self.host, &self.ovsdb, port);
            self.guests.push(guest);
        }
        self.made = Some(made);
        self.settle()
    }

    /// What Neutron allocated, a line per object, for a person.
    pub fn made_summary(&self) -> Vec<String> {
        let Some(made) = &self.made else {
            return Vec::new();
        };
        let mut lines: Vec<String> = made
            .ports
            .iter()
            .map(|p| {
                format!(
                    "port {} {} on {}: {} {}/{} MTU {}",
                    p.name, p.id, p.network, p.mac, p.address, p.prefix, p.mtu
                )
            })
            .collect();
        for group in &made.octavia_groups {
            let rules: Vec<String> = group
                .rules
                .iter()
                .map(|r| match r.ports {
                    Some((min, max)) if min == max => format!("{} {min}", r.protocol),
                    Some((min, max)) => format!("{} {min}-{max}", r.protocol),
                    None => r.protocol.clone(),
                })
                .collect();
            lines.push(format!(
                "security group {} (Kolla's Octavia role): {}",
                group.name,
                rules.join(", ")
            ));
        }
        lines.push(format!(
            "router1's gateway on public1 {}, vm1's floating IP {}",
            made.router_gateway, made.floating_ip
        ));
        lines
    }

    /// Removes from the amphorae's group the rule for the agent's port
    /// (`octavia_amp_listen_port`): the design broken on purpose.
    pub fn remove_agent_rule(&self) -> Result<(), String> {
        let made = self.made.as_ref().ok_or("Neutron's objects are not made")?;
        let group = &made.amp_group;
        let port: u64 = self
            .kolla_variable("octavia_amp_listen_port")?
            .parse()
            .map_err(|_| "octavia_amp_listen_port is not a number".to_string())?;
        let rules = self
            .cloud
            .openstack(&["security", "group", "rule", "list", group, "--long"])?;
        let ids: Vec<String> = rules
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| {
                r["Port Range"].as_str() == Some(&format!("{port}:{port}"))
                    || r["port_range_min"].as_u64() == Some(port)
            })
            .filter_map(|r| r["ID"].as_str().or(r["id"].as_str()).map(str::to_string))
            .collect();
        if ids.is_empty() {
            return Err(format!("{group} has no rule for port {port}"));
        }
        for id in ids {
            self.cloud
                .openstack_unit(&["security", "group", "rule", "delete", &id])?;
        }
        Ok(())
    }

    /// Kolla's variables (its role defaults and group_vars, under the
    /// topology's globals).
    pub fn kolla_variable(&self, name: &str) -> Result<String, String> {
        octavia::variable(Path::new(KOLLA_VENV), &self.globals, name)
    }

    /// Waits until `ovn-controller` has caught up with the northbound
    /// database and Neutron says every port is ACTIVE.
    fn settle(&self) -> Result<(), String> {
        self.ovn
            .sync()
            .map_err(|e| format!("ovn-controller did not catch up: {e}\n{}", self.logs()))?;
        let made = self.made.as_ref().ok_or("Neutron's objects are not made")?;
        objects::wait_active(&self.cloud, &made.ports, ACTIVE_DEADLINE)
            .map_err(|e| format!("{e}\n{}", self.logs()))
    }

    /// A reboot, in the real order's terms: every daemon stops (the
    /// databases stay, as Kolla's volumes do); the links aio made,
    /// forwarding and aio's NAT table are gone; the guests forget their
    /// neighbours.
    pub fn reboot(&mut self) {
        self.cloud.stop();
        self.ovn.stop();
        self.vswitchd = None;
        self.ovsdb.kill();
        for link in ["dummy1", "veth-ovs", "v-lbaas-vlan"] {
            self.host.ip(&["link", "del", link]);
        }
        let reset = [
            "sh",
            "-c",
            "echo 0 > /proc/sys/net/ipv4/ip_forward; nft delete table ip aio",
        ];
        assert!(
            self.host.exec(&reset).status.success(),
            "the reboot could not reset forwarding and NAT"
        );
        for guest in &self.guests {
            crate::ip(&["-n", &guest.ns, "neigh", "flush", "all"]);
        }
        self.host.ip(&["neigh", "flush", "all"]);
    }

    /// What the daemons logged (for a failure's report).
    pub fn logs(&self) -> String {
        let vswitchd = self.vswitchd.as_ref().map(Vswitchd::log);
        format!(
            "--- vswitchd.log\n{}\n{}\n{}",
            crate::files::tail_of(&vswitchd.unwrap_or_default(), 15),
            self.ovn.logs(),
            self.cloud.logs()
        )
    }

    /// Kolla's openvswitch, ovn and neutron containers start again.
    pub fn start_daemons(&mut self) -> Result<(), String> {
        self.ovsdb.restart();
        self.vswitchd = Some(Vswitchd::start(&self.host.ns, &self.ovsdb));
        self.ovn.start_daemons();
        self.cloud.start_again()?;
        self.settle()
    }
}

/// The `[kolla.globals]` of `reference` whose values are strings or
/// numbers, as Kolla's variables.
fn globals(reference: &str) -> HashMap<String, String> {
    let Ok(t) = aio_topology::parse_str("reference", reference) else {
        return HashMap::new();
    };
    let Some(kolla) = t.kolla else {
        return HashMap::new();
    };
    kolla
        .globals
        .iter()
        .filter_map(|(k, v)| {
            let value = match &v.value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => return None,
            };
            Some((k.clone(), value))
        })
        .collect()
}
