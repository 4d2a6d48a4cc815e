//! A sandbox that plays an all-in-one host without touching the real one.
//!
//! [`Sandbox::new`] makes two network namespaces: the *host*, with an `eth0`
//! uplink (`192.0.2.10/24`, default route via `192.0.2.1`), and the *upstream*
//! router at the other end of that cable. Both are deleted when the sandbox
//! is dropped, also when a test panics. Nothing here touches the root
//! network namespace: every command runs with `ip -n`.

use std::process::Command;

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

    fn remove(&self) {
        for ns in [&self.ns, &self.upstream] {
            let _ = Command::new("ip")
                .args(["netns", "del", ns])
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.remove();
    }
}
