//! The all-in-one host in a sandbox, proven by traffic. Shared by
//! `cargo xtask demo` and the data-path test, so both run one scenario:
//!
//! - a host namespace (uplink `eth0`) and an upstream router with no route
//!   back to 10.0.2.0/24, so only NAT can answer;
//! - a private ovsdb-server and an ovs-vswitchd (userspace datapath) in the
//!   host, standing in for Kolla's openvswitch containers;
//! - the reference topology, planned and applied by the real `aio`;
//! - guests playing Neutron's ports on `br-ex`: an amphora on VLAN 1718, one
//!   on VLAN 1717, a VM untagged on the provider network, each with the
//!   physnet's MTU as Neutron gives it (read from the topology);
//! - full-size frames at that MTU, unfragmented, both ways along the
//!   Octavia VLAN and the external path;
//! - a reboot: OVS down (its database kept), aio's links gone, forwarding
//!   and NAT reset; then aio first, OVS later, as at boot.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::ovs::{Ovsdb, Vswitchd};
use crate::{GATEWAY, Guest, Sandbox, exec_in, sandboxed_reference};

pub struct Lab {
    aio: PathBuf,
    pub host: Sandbox,
    pub ovsdb: Ovsdb,
    vswitchd: Option<Vswitchd>,
    work: tempfile::TempDir,
    pub topology: PathBuf,
    guests: Vec<(Guest, &'static str)>,
    /// The MTU Neutron gives physnet1 under the topology.
    pub physnet_mtu: u32,
}

/// A guest on a `br-ex` port, as Neutron would plug an amphora or a VM.
struct Plug {
    name: &'static str,
    cidr: &'static str,
    gateway: Option<&'static str>,
    tag: Option<&'static str>,
    role: &'static str,
}

const PLUGS: [Plug; 3] = [
    Plug {
        name: "amp0",
        cidr: "172.18.0.10/16",
        gateway: None,
        tag: Some("1718"),
        role: "amphora",
    },
    Plug {
        name: "amp1",
        cidr: "172.18.0.11/16",
        gateway: None,
        tag: Some("1717"),
        role: "amphora on VLAN 1717",
    },
    Plug {
        name: "vm0",
        cidr: "10.0.2.50/24",
        gateway: Some("10.0.2.2"),
        tag: None,
        role: "vm",
    },
];

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
}

impl Lab {
    /// The sandbox with OVS running and `br-ex` not yet made; `reference` is
    /// the text of the reference topology, run with `aio` (a binary path).
    pub fn new(name: &str, aio: &Path, reference: &str) -> Lab {
        let physnet_mtu = aio_topology::parse_str("reference", reference)
            .unwrap_or_else(|d| panic!("the reference does not validate:\n{d}"))
            .physnet_mtu()
            .map_or(1500, |p| p.mtu);
        let host = Sandbox::new(name);
        let ovsdb = Ovsdb::start(&[]);
        let vswitchd = Some(Vswitchd::start(&host.ns, &ovsdb));
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
            work,
            topology,
            guests: Vec::new(),
            physnet_mtu,
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
        self.ovsdb.vsctl(&[
            "--may-exist",
            "add-br",
            "br-ex",
            "--",
            "set",
            "bridge",
            "br-ex",
            "datapath_type=netdev",
        ]);
        self.ovsdb
            .vsctl(&["--may-exist", "add-port", "br-ex", "veth-ovs"]);
    }

    /// What Neutron does for an amphora or a VM: a port on `br-ex`, both
    /// ends of its cable at the network's (the physnet's) MTU.
    pub fn plug_guests(&mut self) {
        let mtu = self.physnet_mtu.to_string();
        for p in PLUGS {
            let guest = self.host.guest(p.name, None, p.cidr, p.gateway);
            self.host.ip(&["link", "set", p.name, "mtu", &mtu]);
            crate::ip(&["-n", &guest.ns, "link", "set", "eth0", "mtu", &mtu]);
            let tag = p.tag.map(|t| format!("tag={t}"));
            let mut port = vec!["--may-exist", "add-port", "br-ex", p.name];
            port.extend(tag.as_deref());
            self.ovsdb.vsctl(&port);
            self.guests.push((guest, p.role));
        }
    }

    fn guest(&self, role: &str) -> &Guest {
        &self
            .guests
            .iter()
            .find(|(_, r)| *r == role)
            .expect("guests are plugged")
            .0
    }

    /// The data path, checked by traffic. A reachability claim gets a few
    /// tries (OVS learns as packets flow); an isolation claim gets one ping.
    pub fn proofs(&self) -> Vec<Proof> {
        let reaches = |role: &str, to: &str| (0..4).any(|_| self.guest(role).pings(to));
        // Both ways: from the guest, and from the host to the guest.
        let full_size = |role: &str, to: &str, back: &str| {
            let guest = &self.guest(role).ns;
            (0..4).any(|_| self.unfragmented(guest, to))
                && (0..4).any(|_| self.unfragmented(&self.host.ns, back))
        };
        let mtu = self.physnet_mtu;
        vec![
            Proof {
                claim: "amphora on VLAN 1718 (172.18.0.10) reaches the health manager's v-lbaas 172.18.255.254".into(),
                held: reaches("amphora", "172.18.255.254"),
            },
            Proof {
                claim: format!(
                    "amphora and v-lbaas exchange {mtu}-byte packets (physnet1's MTU), unfragmented, both ways"
                ),
                held: full_size("amphora", "172.18.255.254", "172.18.0.10"),
            },
            Proof {
                claim: "vm on the provider network (10.0.2.50) reaches dummy1 10.0.2.2".into(),
                held: reaches("vm", "10.0.2.2"),
            },
            Proof {
                claim: format!(
                    "vm and dummy1 exchange {mtu}-byte packets through br-ex, veth-ovs and veth-br, unfragmented, both ways"
                ),
                held: full_size("vm", "10.0.2.2", "10.0.2.50"),
            },
            Proof {
                claim: "vm reaches the upstream router 192.0.2.1 through NAT".into(),
                held: reaches("vm", GATEWAY),
            },
            Proof {
                claim: "amphora on VLAN 1717 cannot reach v-lbaas".into(),
                held: !self.guest("amphora on VLAN 1717").pings("172.18.255.254"),
            },
        ]
    }

    /// Whether one ping of exactly the physnet's MTU (IPv4 and ICMP headers
    /// included), with "don't fragment", goes from namespace `ns` to `to`
    /// and is answered.
    fn unfragmented(&self, ns: &str, to: &str) -> bool {
        let payload = (self.physnet_mtu - 28).to_string();
        let ping = ["ping", "-M", "do", "-s", &payload, "-c", "1", "-W", "2", to];
        exec_in(ns, &ping).status.success()
    }

    /// A reboot, in the real order's terms: OVS stops (its database stays,
    /// as Kolla's volume does); the links aio made, forwarding and aio's NAT
    /// table are gone; the guests forget their neighbours.
    pub fn reboot(&mut self) {
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
        // The guests run on this host: they restart too, with empty ARP
        // caches (the recreated links have new MAC addresses).
        for (guest, _) in &self.guests {
            crate::ip(&["-n", &guest.ns, "neigh", "flush", "all"]);
        }
    }

    /// What ovs-vswitchd logged (for a failed proof's report).
    pub fn vswitchd_log(&self) -> String {
        self.vswitchd
            .as_ref()
            .map(Vswitchd::log)
            .unwrap_or_default()
    }

    /// Kolla's openvswitch containers start again.
    pub fn start_ovs(&mut self) {
        self.ovsdb.restart();
        self.vswitchd = Some(Vswitchd::start(&self.host.ns, &self.ovsdb));
        // Give the userspace datapath a moment to open its ports.
        std::thread::sleep(Duration::from_millis(500));
    }
}
