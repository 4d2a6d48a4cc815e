//! A sandbox that plays an all-in-one host without touching the real one.
//!
//! [`Sandbox::new`] makes two network namespaces: the *host*, with an `eth0`
//! uplink (`192.0.2.10/24`, default route via `192.0.2.1`), and the *upstream*
//! router at the other end of that cable. Both are deleted when the sandbox
//! is dropped, also when a test panics. Nothing here touches the root
//! network namespace: every command runs with `ip -n`.
//!
//! [`seed`] lays out the old installer's boot units under a temporary root.
//! [`ovs`] and [`ovn`] run private Open vSwitch and OVN daemons in the host;
//! [`openstack`] the real Keystone and neutron-server on a private MariaDB;
//! [`neutron`] makes Neutron's objects through its API; [`lab`] is the
//! demo's scenario on all of them, proven by traffic ([`tcp`], [`udp`]).
// A test and developer tool: a failure here is a failed test or task, said loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

mod files;
pub mod lab;
pub mod neutron;
pub mod openstack;
pub mod ovn;
pub mod ovs;
pub mod poll;
pub mod process;
pub mod seed;
pub mod tcp;
pub mod udp;

pub use files::files_under;

/// The uplink's address in the host namespace.
pub const UPLINK_ADDRESS: &str = "192.0.2.10/24";
/// The upstream router's address, the host's default gateway.
pub const GATEWAY: &str = "192.0.2.1";

pub struct Sandbox {
    /// The host namespace, for `--netns`.
    pub ns: String,
    /// The upstream router's namespace.
    pub upstream: String,
}

/// Runs `ip ARGS`, panicking with its stderr if it fails.
pub fn ip(args: &[&str]) -> String {
    let out = Command::new("ip")
        .args(args)
        .output()
        .expect("iproute2 is installed");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("ip prints UTF-8")
}

impl Sandbox {
    /// Makes namespaces `NAME` and `NAME-up`; leftovers of an earlier run of the same name are removed first.
    pub fn new(name: &str) -> Sandbox {
        let sandbox = Sandbox {
            ns: name.to_string(),
            upstream: format!("{name}-up"),
        };
        sandbox.remove();
        ip(&["netns", "add", &sandbox.ns]);
        ip(&["netns", "add", &sandbox.upstream]);
        sandbox.ip(&["link", "set", "lo", "up"]);
        // No IPv6 duplicate address detection: link-local addresses would
        // turn from "tentative" to settled under a test's feet.
        for conf in ["all", "default"] {
            let knob = format!("echo 0 > /proc/sys/net/ipv6/conf/{conf}/accept_dad");
            assert!(
                sandbox.exec(&["sh", "-c", &knob]).status.success(),
                "{knob}"
            );
        }
        sandbox.ip(&[
            "link",
            "add",
            "eth0",
            "type",
            "veth",
            "peer",
            "name",
            "up0",
            "netns",
            &sandbox.upstream,
        ]);
        sandbox.ip(&["addr", "add", UPLINK_ADDRESS, "dev", "eth0"]);
        sandbox.ip(&["link", "set", "eth0", "up"]);
        sandbox.upstream_ip(&["addr", "add", &format!("{GATEWAY}/24"), "dev", "up0"]);
        sandbox.upstream_ip(&["link", "set", "up0", "up"]);
        sandbox.ip(&["route", "add", "default", "via", GATEWAY]);
        sandbox
    }

    /// `ip -n HOST ARGS`.
    pub fn ip(&self, args: &[&str]) -> String {
        ip(&[&["-n", self.ns.as_str()], args].concat())
    }

    /// `ip -n UPSTREAM ARGS`.
    pub fn upstream_ip(&self, args: &[&str]) -> String {
        ip(&[&["-n", self.upstream.as_str()], args].concat())
    }

    /// Runs `PROGRAM ARGS` inside the host namespace (`ip netns exec`).
    pub fn exec(&self, args: &[&str]) -> std::process::Output {
        exec_in(&self.ns, args)
    }

    /// A guest namespace cabled to the host by a veth pair (`NAME` in the
    /// host, up, enslaved to Linux bridge `bridge` if given; `eth0` in the
    /// guest), with `cidr` and an optional default gateway. Removed on drop.
    pub fn guest(
        &self,
        name: &str,
        bridge: Option<&str>,
        cidr: &str,
        gateway: Option<&str>,
    ) -> Guest {
        let guest = Guest {
            ns: format!("{}-{name}", self.ns),
        };
        ip(&["netns", "add", &guest.ns]);
        ip(&["-n", &guest.ns, "link", "set", "lo", "up"]);
        self.ip(&[
            "link", "add", name, "type", "veth", "peer", "name", "eth0", "netns", &guest.ns,
        ]);
        match bridge {
            Some(bridge) => self.ip(&["link", "set", name, "master", bridge, "up"]),
            None => self.ip(&["link", "set", name, "up"]),
        };
        ip(&["-n", &guest.ns, "addr", "add", cidr, "dev", "eth0"]);
        ip(&["-n", &guest.ns, "link", "set", "eth0", "up"]);
        if let Some(gw) = gateway {
            ip(&["-n", &guest.ns, "route", "add", "default", "via", gw]);
        }
        guest
    }

    /// Removes the host, the upstream and every guest namespace (`NAME-*`),
    /// also those an interrupted earlier run left.
    fn remove(&self) {
        let guests: Vec<String> = namespaces_starting(&format!("{}-", self.ns))
            .into_iter()
            .filter(|n| *n != self.upstream)
            .collect();
        for ns in guests.iter().chain([&self.ns, &self.upstream]) {
            delete_namespace(ns);
        }
    }
}

/// Runs `PROGRAM ARGS` inside network namespace `ns`.
pub fn exec_in(ns: &str, args: &[&str]) -> std::process::Output {
    Command::new("ip")
        .args(["netns", "exec", ns])
        .args(args)
        .output()
        .expect("iproute2 is installed")
}

/// The network namespaces whose names start with `prefix` (`ip netns
/// list`; none if that fails).
pub fn namespaces_starting(prefix: &str) -> Vec<String> {
    let listed = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    listed
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| n.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

/// Deletes network namespace `ns`, quietly: it may be gone already.
pub fn delete_namespace(ns: &str) {
    let _ = Command::new("ip")
        .args(["netns", "del", ns])
        .stderr(std::process::Stdio::null())
        .status();
}

/// A namespace playing a machine behind one of the host's bridges.
pub struct Guest {
    pub ns: String,
}

impl Guest {
    /// Whether one ping to `address` is answered within two seconds.
    pub fn pings(&self, address: &str) -> bool {
        exec_in(&self.ns, &["ping", "-c", "1", "-W", "2", address])
            .status
            .success()
    }
}

impl Drop for Guest {
    fn drop(&mut self) {
        // The sandbox may have removed it already.
        delete_namespace(&self.ns);
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.remove();
    }
}

/// Where the tests and the demo keep a kolla-ansible 20.x venv, outside the
/// repository so runs reuse it (`cargo xtask ci` makes it).
pub const KOLLA_VENV: &str = "/var/cache/aio/kolla-20";
/// Where `cargo xtask setup` installs the Taplo CLI (npm's `@taplo/cli`).
pub const TAPLO: &str = "/var/cache/aio/taplo/node_modules/.bin/taplo";

/// The reference topology (`examples/openstack-aio.toml`) made safe for a
/// sandbox: `[ovs]` pointed at `ovsdb`, Kolla's config dir at `config_dir`,
/// the cached venv, and, unless `actions`, Kolla's actions off (render only).
/// Panics if the reference no longer says what is replaced.
pub fn sandboxed_reference(
    reference: &str,
    ovsdb: &str,
    config_dir: &std::path::Path,
    actions: bool,
) -> String {
    let swaps = [
        (
            "db = \"unix:/run/openvswitch/db.sock\"",
            format!("db = \"{ovsdb}\""),
        ),
        (
            "config_dir = \"/etc/kolla\"",
            format!("config_dir = \"{}\"", config_dir.display()),
        ),
        (
            "venv = \"/opt/aio/kolla\"",
            format!("venv = \"{KOLLA_VENV}\""),
        ),
    ];
    let mut text = reference.to_string();
    for (from, to) in swaps {
        assert!(
            text.contains(from),
            "the reference topology no longer says {from}"
        );
        text = text.replace(from, &to);
    }
    if !actions {
        let line = text
            .lines()
            .find(|l| l.starts_with("actions = "))
            .expect("kolla actions")
            .to_string();
        text = text.replace(&line, "actions = []");
    }
    text
}
