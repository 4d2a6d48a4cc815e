//! Running the real `aio` binary against a sandbox host (namespaces made by
//! `aio_sandbox`, removed on drop; the root network namespace is never touched).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
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

/// A sandbox host (see `aio_sandbox`), a private ovsdb-server holding
/// `br-ex` as Kolla would leave it, a state dir and topology files for aio.
pub struct Sandbox {
    pub host: aio_sandbox::Sandbox,
    pub ns: String,
    pub state: tempfile::TempDir,
    pub ovsdb: aio_sandbox::ovs::Ovsdb,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let host = aio_sandbox::Sandbox::new(&format!("aio-t{}-{n}", std::process::id()));
        let ovsdb = aio_sandbox::ovs::Ovsdb::start(&[]);
        ovsdb.vsctl(&["init"]);
        ovsdb.vsctl(&["add-br", "br-ex"]);
        let state = tempfile::tempdir().unwrap();
        Sandbox {
            ns: host.ns.clone(),
            host,
            state,
            ovsdb,
        }
    }

    /// The reference topology for this sandbox: `[ovs]` pointed at its
    /// ovsdb-server, Kolla's config dir in its temp dir, the cached venv, and
    /// Kolla's actions off (render only).
    pub fn reference(&self) -> PathBuf {
        self.reference_with_actions(false)
    }

    /// [`Sandbox::reference`], keeping the reference's Kolla actions if `actions`.
    pub fn reference_with_actions(&self, actions: bool) -> PathBuf {
        let reference = std::fs::read_to_string(REFERENCE).unwrap();
        let config_dir = self.state.path().join("kolla-etc");
        let text =
            aio_sandbox::sandboxed_reference(&reference, &self.ovsdb.unix(), &config_dir, actions);
        self.topology("reference.toml", &text)
    }

    /// `ip -n NS ARGS`.
    pub fn ip(&self, args: &[&str]) -> String {
        self.host.ip(args)
    }

    /// Runs the real `aio` binary against this sandbox.
    pub fn aio(&self, command: &str, topology: &Path, extra: &[&str]) -> Output {
        self.aio_with(&[], command, topology, extra)
    }

    /// [`Sandbox::aio`] with extra environment variables.
    pub fn aio_with(
        &self,
        env: &[(&str, &str)],
        command: &str,
        topology: &Path,
        extra: &[&str],
    ) -> Output {
        Command::new(env!("CARGO_BIN_EXE_aio"))
            .envs(env.iter().copied())
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
        self.plan_with(&[], topology)
    }

    /// [`Sandbox::plan`] with extra environment variables.
    pub fn plan_with(&self, env: &[(&str, &str)], topology: &Path) -> Vec<(String, String)> {
        let out = self.aio_with(env, "plan", topology, &["--json"]);
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

pub fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

pub fn change(id: &str, action: &str) -> (String, String) {
    (id.to_string(), action.to_string())
}
