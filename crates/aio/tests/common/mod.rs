//! What the tests of the aio binary share: the repository's paths, a sandbox
//! host (namespaces made by `aio_sandbox`, removed on drop; the root network
//! namespace is never touched) and what can be read from it. Running aio is
//! in [`run`], Kolla's stand-in in [`kolla`], waiting with a deadline in
//! [`poll`].
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(dead_code, unused_imports)]

pub mod ansible;
pub mod kolla;
pub mod run;
pub mod topology;
pub mod watch;

pub use aio_sandbox::poll;
pub use run::{command, run, said, stderr, stdout, text};

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

pub const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/openstack-aio.toml"
);

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The files in `dir`, sorted by name; panics naming `dir` if it cannot be read.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

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

    /// A topology file in this sandbox's temp dir.
    pub fn topology(&self, name: &str, text: &str) -> PathBuf {
        let path = self.state.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `ip -n NS ARGS`.
    pub fn ip(&self, args: &[&str]) -> String {
        self.host.ip(args)
    }

    /// Runs `args` in the namespace, which must succeed: what it printed.
    pub fn exec_ok(&self, args: &[&str]) -> String {
        let out = self.host.exec(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    }

    /// Veth pair `name` and `peer` made by hand in the namespace, as an
    /// installer's script makes one.
    pub fn veth(&self, name: &str, peer: &str) {
        self.exec_ok(&[
            "ip", "link", "add", name, "type", "veth", "peer", "name", peer,
        ]);
    }

    /// `nft COMMAND` in the namespace (nft joins its words itself), which
    /// must succeed: what it printed.
    pub fn nft(&self, command: &str) -> String {
        let args: Vec<&str> = command.split_whitespace().collect();
        let out = self.host.exec(&[&["nft"][..], &args].concat());
        assert!(
            out.status.success(),
            "nft {}: {}",
            args.join(" "),
            stderr(&out)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// The value of sysctl `key` (`net.ipv4.ip_forward`) in the namespace.
    pub fn sysctl(&self, key: &str) -> String {
        let path = format!("/proc/sys/{}", key.replace('.', "/"));
        stdout(&self.host.exec(&["cat", &path])).trim().to_string()
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
        self.ip(&["-d", "-j", "-p", "link", "show"])
            + &self.ip(&["-j", "-p", "addr", "show"])
            + &self.ip(&["-j", "-p", "route", "show"])
    }
}

pub fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

pub fn change(id: &str, action: &str) -> (String, String) {
    (id.to_string(), action.to_string())
}
