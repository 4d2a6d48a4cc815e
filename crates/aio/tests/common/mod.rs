//! A sandbox for tests: a network namespace with an `eth0` uplink (192.0.2.10/24,
//! default route via 192.0.2.1) to an `upstream` namespace, both removed on drop.
//! Nothing here touches the root network namespace.

#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

pub const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/openstack-aio.toml"
);

static NEXT: AtomicUsize = AtomicUsize::new(0);

pub struct Sandbox {
    pub ns: String,
    upstream: String,
    pub state: tempfile::TempDir,
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
    String::from_utf8(out.stdout).unwrap()
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let ns = format!("aio-t{}-{n}", std::process::id());
        let upstream = format!("{ns}-up");
        ip(&["netns", "add", &ns]);
        let sandbox = Sandbox {
            ns,
            upstream,
            state: tempfile::tempdir().unwrap(),
        };
        ip(&["netns", "add", &sandbox.upstream]);
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
        sandbox.ip(&["addr", "add", "192.0.2.10/24", "dev", "eth0"]);
        sandbox.ip(&["link", "set", "eth0", "up"]);
        ip(&[
            "-n",
            &sandbox.upstream,
            "addr",
            "add",
            "192.0.2.1/24",
            "dev",
            "up0",
        ]);
        ip(&["-n", &sandbox.upstream, "link", "set", "up0", "up"]);
        sandbox.ip(&["route", "add", "default", "via", "192.0.2.1"]);
        sandbox
    }

    /// `ip -n NS ARGS`.
    pub fn ip(&self, args: &[&str]) -> String {
        let mut all = vec!["-n", self.ns.as_str()];
        all.extend_from_slice(args);
        ip(&all)
    }

    /// Runs the real `aio` binary against this sandbox.
    pub fn aio(&self, command: &str, topology: &Path, extra: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_aio"))
            .arg(command)
            .arg("-f")
            .arg(topology)
            .args(["--netns", &self.ns, "--state-dir"])
            .arg(self.state.path())
            .args(extra)
            .output()
            .unwrap()
    }

    /// `aio plan --json`: `(id, action)` of each change, in order.
    pub fn plan(&self, topology: &Path) -> Vec<(String, String)> {
        let out = self.aio("plan", topology, &["--json"]);
        assert!(
            out.status.success(),
            "plan failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (s(&c["id"]), s(&c["action"])))
            .collect()
    }

    pub fn apply(&self, topology: &Path) -> String {
        let out = self.aio("apply", topology, &["--yes"]);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "apply failed: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    /// `ip -j -d link show` parsed, keyed by name.
    pub fn links(&self) -> serde_json::Map<String, Value> {
        let v: Value = serde_json::from_str(&self.ip(&["-j", "-d", "link", "show"])).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|l| (s(&l["ifname"]), l.clone()))
            .collect()
    }

    /// The `addr/prefix` of each global address on `dev`.
    pub fn addresses(&self, dev: &str) -> Vec<String> {
        let v: Value = serde_json::from_str(&self.ip(&["-j", "addr", "show", "dev", dev])).unwrap();
        v[0]["addr_info"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["scope"] != "link")
            .map(|a| format!("{}/{}", s(&a["local"]), a["prefixlen"]))
            .collect()
    }

    /// Everything `ip` says about the uplink, to prove it never changes.
    pub fn uplink(&self) -> String {
        self.ip(&["-d", "-j", "link", "show", "eth0"])
            + &self.ip(&["-d", "-j", "addr", "show", "eth0"])
    }

    /// The whole namespace as `ip` sees it, to prove nothing changed.
    pub fn everything(&self) -> String {
        self.ip(&["-d", "-j", "link", "show"])
            + &self.ip(&["-j", "addr", "show"])
            + &self.ip(&["-j", "route", "show"])
    }

    /// A topology file in this sandbox's temp dir.
    pub fn topology(&self, name: &str, text: &str) -> PathBuf {
        let path = self.state.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for ns in [&self.ns, &self.upstream] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

pub fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

pub fn change(id: &str, action: &str) -> (String, String) {
    (id.to_string(), action.to_string())
}
