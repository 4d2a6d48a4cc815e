//! The all-in-one host in a sandbox, wired as Kolla, Neutron and OVN wire
//! it, proven by traffic. Shared by `cargo xtask demo` and the data-path
//! test, so both run one scenario:
//!
//! - a host namespace (uplink `eth0`) and an upstream router with no route
//!   back to the outside world's network, so only NAT can answer;
//! - a private ovsdb-server and an ovs-vswitchd (userspace datapath) in the
//!   host, standing in for Kolla's openvswitch containers, and real OVN
//!   ([`crate::ovn`]) standing in for Kolla's ovn containers;
//! - the reference topology, planned and applied by the real `aio`;
//! - Neutron's networks, router, SNAT and floating IP, and guests (amphorae,
//!   VMs) on `br-int` ([`crate::neutron`]);
//! - proofs by traffic between the namespaces made here, NAT also by
//!   conntrack entries in the datapath;
//! - a reboot: the OVS and OVN daemons down (their databases kept), aio's
//!   links gone, forwarding and NAT reset; then aio first, daemons later.
//!
//! The userspace datapath does not complete partial checksums, which the
//! kernel leaves to a veth's "hardware": the harness turns transmit
//! offloads off on the links that feed OVS (a property of this datapath,
//! not of a host, so aio does not).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::neutron::{self, Design, Port};
use crate::ovn::Ovn;
use crate::ovs::{Ovsdb, Vswitchd};
use crate::{GATEWAY, Guest, Sandbox, UPLINK_ADDRESS, exec_in, poll, sandboxed_reference, tcp};

/// Fields drop in order: the daemons, then the guests, then the host.
pub struct Lab {
    pub ovn: Ovn,
    vswitchd: Option<Vswitchd>,
    pub ovsdb: Ovsdb,
    guests: Vec<(Guest, Port)>,
    pub host: Sandbox,
    aio: PathBuf,
    work: tempfile::TempDir,
    pub topology: PathBuf,
    pub design: Design,
    /// The MTU Neutron gives physnet1 under the topology.
    pub physnet_mtu: u32,
}

/// What one `aio` run said.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// A claim about the data path, and whether traffic bore it out.
pub struct Proof {
    pub claim: String,
    pub held: bool,
    /// Why it did not hold, when that is known.
    pub why: String,
}

/// The TCP port the proofs listen on.
const TCP_PORT: u16 = 8080;

impl Lab {
    /// The sandbox with OVS and OVN running and `br-ex` not yet made;
    /// `reference` is the text of the reference topology, run with `aio`
    /// (a binary path).
    pub fn new(name: &str, aio: &Path, reference: &str) -> Lab {
        let design = Design::read(reference);
        let host = Sandbox::new(name);
        let ovsdb = Ovsdb::start(&[]);
        let vswitchd = Some(Vswitchd::start(&host.ns, &ovsdb));
        let address = UPLINK_ADDRESS.split('/').next().expect("an address");
        let mappings = format!("{}:{}", design.physnet, design.bridge);
        let ovn = Ovn::start(&host.ns, &ovsdb, address, &mappings);
        let work = tempfile::Builder::new()
            .prefix("aio-lab-")
            .tempdir()
            .expect("a temp dir");
        let topology = work.path().join("openstack-aio.toml");
        let text = sandboxed_reference(reference, &ovsdb.unix(), &work.path().join("kolla"), false);
        std::fs::write(&topology, text).expect("the topology is written");
        Lab {
            aio: aio.to_path_buf(),
            host,
            ovsdb,
            vswitchd,
            ovn,
            work,
            topology,
            guests: Vec::new(),
            physnet_mtu: design.mtu,
            design,
        }
    }

    /// `aio COMMAND ARGS -f TOPOLOGY --netns HOST --state-dir STATE`.
    pub fn aio(&self, command: &str, args: &[&str]) -> Run {
        let out = Command::new(&self.aio)
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

    /// What Neutron, Nova and Octavia do: the networks, the router, SNAT
    /// and the floating IP in OVN's northbound database, and a guest on
    /// `br-int` for each port, its cable at the network's MTU.
    pub fn neutron(&mut self) {
        neutron::make_networks(&self.ovn, &self.design);
        for port in self.design.ports() {
            let cidr = format!("{}/{}", port.address, port.prefix);
            let gateway = port.gateway.map(|g| g.to_string());
            let guest = self.host.guest(port.name, None, &cidr, gateway.as_deref());
            let mtu = port.mtu.to_string();
            self.host.ip(&["link", "set", port.name, "mtu", &mtu]);
            crate::ip(&["-n", &guest.ns, "link", "set", "eth0", "mtu", &mtu]);
            let mac = exec_in(&guest.ns, &["cat", "/sys/class/net/eth0/address"]);
            let mac = String::from_utf8_lossy(&mac.stdout).trim().to_string();
            neutron::make_port(&self.ovn, &port, &mac);
            let ids = format!(
                "external_ids:iface-id={} external_ids:attached-mac={mac} external_ids:iface-status=active",
                port.name
            );
            let mut args = vec!["add-port", "br-int", port.name, "--", "set", "interface"];
            args.push(port.name);
            args.extend(ids.split(' '));
            self.ovsdb.vsctl(&args);
            offloads_off(&guest.ns, "eth0");
            offloads_off(&self.host.ns, port.name);
            self.guests.push((guest, port));
        }
        self.settle();
    }

    /// Waits until `ovn-controller` has caught up with the northbound
    /// database and every guest's port is bound and up.
    fn settle(&self) {
        if let Err(e) = self.ovn.sync() {
            panic!("ovn-controller did not catch up: {e}\n{}", self.logs());
        }
        for (_, port) in &self.guests {
            poll::wait_until_showing(
                Duration::from_secs(20),
                &format!("logical port {} up", port.name),
                || self.ovn.nbctl(&["lsp-get-up", port.name]) == "up",
                || self.ovn.logs(),
            );
        }
    }

    fn guest(&self, name: &str) -> (&Guest, &Port) {
        let (guest, port) = self
            .guests
            .iter()
            .find(|(_, p)| p.name == name)
            .expect("guests are plugged");
        (guest, port)
    }

    /// The data path, checked by traffic. A reachability claim gets a few
    /// tries (the first packets may be spent learning); an isolation claim
    /// gets one ping.
    pub fn proofs(&self) -> Vec<Proof> {
        // aio's links are remade after a reboot: offloads off again.
        for link in ["dummy1", "veth-br", "veth-ovs", "v-lbaas", "v-lbaas-vlan"] {
            offloads_off(&self.host.ns, link);
        }
        let d = &self.design;
        let host = self.host.ns.as_str();
        let pings = |ns: &str, to: &str| (0..4).any(|_| ping(ns, to));
        let (amp, amp_port) = self.guest("amp0");
        let (twin, _) = self.guest("amp1");
        let (vm0, vm0_port) = self.guest("vm0");
        let (vm1, vm1_port) = self.guest("vm1");
        let (hm, amp_ip) = (d.health_manager.to_string(), amp_port.address.to_string());
        let outside = d.outside.addr().to_string();
        let full_size = |ns: &str, to: &str| (0..4).any(|_| self.unfragmented(ns, to));
        let tcp = |server: &str, client: &str, to| {
            let tried = || tcp::exchange(server, client, to, TCP_PORT);
            tried().or_else(|_| tried()).map(|_| ())
        };
        let both_tcp = tcp(host, &amp.ns, d.health_manager)
            .and_then(|()| tcp(&amp.ns, host, amp_port.address));
        let fip = d.floating_ip();
        let to_fip = tcp(&vm1.ns, host, fip);
        let plan = self.aio("plan", &["--detailed-exitcode"]);
        let patch_ports = self
            .ovsdb
            .vsctl(&["list-ports", &d.bridge])
            .lines()
            .filter(|p| p.starts_with("patch-"))
            .count();
        let mtu = d.mtu;
        vec![
            proof(
                format!(
                    "amphora on lb-mgmt-net (VLAN {}, {amp_ip}) and the health manager's v-lbaas {hm} ping each other",
                    d.amp_tag
                ),
                pings(&amp.ns, &hm) && pings(host, &amp_ip),
                "",
            ),
            proof(
                "amphora and v-lbaas talk TCP, each side connecting to the other".into(),
                both_tcp.is_ok(),
                &both_tcp.err().unwrap_or_default(),
            ),
            proof(
                format!(
                    "amphora and v-lbaas exchange {mtu}-byte packets (physnet1's MTU), unfragmented, both ways"
                ),
                full_size(&amp.ns, &hm) && full_size(host, &amp_ip),
                "",
            ),
            proof(
                format!(
                    "vm0 ({}) reaches dummy1 {outside} through the OVN router",
                    vm0_port.address
                ),
                pings(&vm0.ns, &outside),
                "",
            ),
            self.nat_proof(
                &vm0.ns,
                vm0_port,
                d.router_gateway(),
                "the OVN router's SNAT",
            ),
            proof(
                format!("the host reaches vm1 at its floating IP {fip} (TCP, answered by vm1)"),
                to_fip.is_ok(),
                &to_fip.err().unwrap_or_default(),
            ),
            self.nat_proof(&vm1.ns, vm1_port, fip, "its floating IP"),
            proof(
                format!(
                    "an amphora on VLAN {} (lb-mgmt-net's twin) cannot reach v-lbaas",
                    d.wrong_tag()
                ),
                !ping(&twin.ns, &hm),
                "",
            ),
            proof(
                format!(
                    "aio plan is empty with OVN's {patch_ports} patch port(s) on {}",
                    d.bridge
                ),
                plan.code == Some(0) && patch_ports > 0,
                &plan.stdout,
            ),
        ]
    }

    /// `guest` reaches the upstream router, which has no route back, so
    /// through OVN's NAT to `nat_ip` and then the host's; the datapath's
    /// conntrack holds the entry whose reply goes to `nat_ip`.
    fn nat_proof(&self, ns: &str, port: &Port, nat_ip: std::net::Ipv4Addr, by: &str) -> Proof {
        let reached = (0..4).any(|_| ping(ns, GATEWAY));
        let conntrack = self
            .vswitchd
            .as_ref()
            .map(|v| v.appctl(&["dpctl/dump-conntrack"]))
            .unwrap_or_default();
        let orig = format!("orig=(src={},dst={GATEWAY},", port.address);
        let reply = format!("reply=(src={GATEWAY},dst={nat_ip},");
        let tracked = conntrack
            .lines()
            .any(|l| l.starts_with("icmp,") && l.contains(&orig) && l.contains(&reply));
        let why = if tracked {
            String::new()
        } else {
            format!("no conntrack entry {orig}…{reply} in:\n{conntrack}")
        };
        proof(
            format!(
                "{} reaches the upstream router {GATEWAY} through {by} ({nat_ip}, seen in conntrack) and the host's NAT",
                port.name
            ),
            reached && tracked,
            &why,
        )
    }

    /// Whether one ping of exactly the physnet's MTU (IPv4 and ICMP headers
    /// included), with "don't fragment", goes from namespace `ns` to `to`
    /// and is answered.
    fn unfragmented(&self, ns: &str, to: &str) -> bool {
        let payload = (self.physnet_mtu - 28).to_string();
        let ping = ["ping", "-M", "do", "-s", &payload, "-c", "1", "-W", "2", to];
        exec_in(ns, &ping).status.success()
    }

    /// A reboot, in the real order's terms: the OVS and OVN daemons stop
    /// (their databases stay, as Kolla's volumes do); the links aio made,
    /// forwarding and aio's NAT table are gone; the guests forget their
    /// neighbours.
    pub fn reboot(&mut self) {
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
        for (guest, _) in &self.guests {
            crate::ip(&["-n", &guest.ns, "neigh", "flush", "all"]);
        }
    }

    /// What ovs-vswitchd and the OVN daemons logged (for a failure's report).
    pub fn logs(&self) -> String {
        let vswitchd = self.vswitchd.as_ref().map(Vswitchd::log);
        let tail: Vec<String> = vswitchd
            .unwrap_or_default()
            .lines()
            .rev()
            .take(15)
            .map(str::to_string)
            .collect();
        let tail: Vec<String> = tail.into_iter().rev().collect();
        format!("--- vswitchd.log\n{}\n{}", tail.join("\n"), self.ovn.logs())
    }

    /// Kolla's openvswitch and ovn containers start again.
    pub fn start_daemons(&mut self) {
        self.ovsdb.restart();
        self.vswitchd = Some(Vswitchd::start(&self.host.ns, &self.ovsdb));
        self.ovn.start_daemons();
        self.settle();
    }
}

fn proof(claim: String, held: bool, why: &str) -> Proof {
    let why = if held { String::new() } else { why.to_string() };
    Proof { claim, held, why }
}

/// Whether one ping from namespace `ns` to `to` is answered within 2 s.
fn ping(ns: &str, to: &str) -> bool {
    exec_in(ns, &["ping", "-c", "1", "-W", "2", to])
        .status
        .success()
}

/// `ethtool -K DEV tx off` in namespace `ns` (see the module's doc).
fn offloads_off(ns: &str, dev: &str) {
    let out = exec_in(ns, &["ethtool", "-K", dev, "tx", "off"]);
    assert!(
        out.status.success(),
        "ethtool -K {dev} tx off (package ethtool): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
