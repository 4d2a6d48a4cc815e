//! OVN for the sandbox, as Kolla runs it on an all-in-one host: the
//! northbound and southbound `ovsdb-server`s, `ovn-northd`, and an
//! `ovn-controller` attached to the sandbox's `ovs-vswitchd` (userspace
//! datapath). All run inside the host namespace, with their databases,
//! sockets, pid files, logs and control sockets in a private directory
//! (never the system's /run/ovn), and are killed by PID when dropped.
//!
//! The chassis is configured as Kolla's openvswitch and ovn-controller roles
//! configure it (`system-id`, `ovn-remote` on the southbound TCP port at the
//! host's address, `ovn-encap-type=geneve`, `ovn-encap-ip`,
//! `ovn-bridge-mappings`, `ovn-cms-options=enable-chassis-as-gw`), plus
//! `ovn-bridge-datapath-type=netdev`: without it `ovn-controller` asks for a
//! kernel `br-int`, which this sandbox has no module for.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::ovs::Ovsdb;
use crate::poll;

const NB_SCHEMA: &str = "/usr/share/ovn/ovn-nb.ovsschema";
const SB_SCHEMA: &str = "/usr/share/ovn/ovn-sb.ovsschema";
/// The southbound port Kolla's ovn-sb-db listens on, and `ovn-remote` names.
const SB_PORT: u16 = 6642;
/// The chassis name (Kolla sets `system-id` to the host's name).
pub const CHASSIS: &str = "aio-sandbox";

/// One daemon, run in the foreground (not `--detach`) so that its PID is the
/// child's and killing it needs no pid file.
struct Daemon {
    name: &'static str,
    child: aio_child::Guarded,
}

impl Daemon {
    /// Whether it still runs: `/proc/PID/status` says so and not "zombie".
    fn alive(&self) -> bool {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).is_ok_and(|s| {
            s.lines()
                .find(|l| l.starts_with("State:"))
                .is_some_and(|l| !l.contains("Z (zombie)"))
        })
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.child_mut().kill();
        let _ = self.child.wait();
    }
}

pub struct Ovn {
    /// First, so that the daemons die before their directory goes.
    daemons: Vec<Daemon>,
    ns: String,
    dir: tempfile::TempDir,
    /// The OVS run dir: `ovs-vswitchd` makes `br-int.mgmt` there, and
    /// `ovn-controller` must find it (23.03 takes no `--unixctl`).
    ovs_dir: PathBuf,
    ovs_db: String,
    sb_address: String,
}

impl Ovn {
    /// Creates the databases and starts everything in namespace `ns`, whose
    /// `address` the southbound database listens on (and geneve would use);
    /// `db` is the sandbox's OVSDB, served by a running `ovs-vswitchd`.
    /// Returns once the chassis is registered and `br-int` exists.
    pub fn start(ns: &str, db: &Ovsdb, address: &str, bridge_mappings: &str) -> Ovn {
        let dir = tempfile::Builder::new()
            .prefix("aio-ovn-")
            .tempdir()
            .unwrap();
        for (file, schema) in [("nb.db", NB_SCHEMA), ("sb.db", SB_SCHEMA)] {
            let made = Command::new("ovsdb-tool")
                .arg("create")
                .arg(dir.path().join(file))
                .arg(schema)
                .status()
                .expect("ovsdb-tool runs");
            assert!(
                made.success(),
                "ovsdb-tool create {file} ({schema}; package ovn-common)"
            );
        }
        let remote = format!("tcp:{address}:{SB_PORT}");
        db.vsctl(&[
            "set",
            "open_vswitch",
            ".",
            &format!("external_ids:system-id={CHASSIS}"),
            // Kolla's openvswitch role sets both; Neutron binds a port to
            // the chassis whose hostname is the port's binding host.
            &format!("external_ids:hostname={CHASSIS}"),
            &format!("external_ids:ovn-remote=\"{remote}\""),
            "external_ids:ovn-encap-type=geneve",
            &format!("external_ids:ovn-encap-ip={address}"),
            &format!("external_ids:ovn-bridge-mappings=\"{bridge_mappings}\""),
            "external_ids:ovn-cms-options=enable-chassis-as-gw",
            "external_ids:ovn-bridge-datapath-type=netdev",
        ]);
        let mut ovn = Ovn {
            ns: ns.to_string(),
            dir,
            ovs_dir: db.dir().to_path_buf(),
            ovs_db: db.unix(),
            sb_address: address.to_string(),
            daemons: Vec::new(),
        };
        ovn.start_daemons();
        ovn
    }

    fn at(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    pub fn nb(&self) -> String {
        format!("unix:{}", self.at("nb.sock"))
    }

    pub fn sb(&self) -> String {
        format!("unix:{}", self.at("sb.sock"))
    }

    /// Starts the daemons on the databases there are, as after a reboot.
    pub fn start_daemons(&mut self) {
        assert!(self.daemons.is_empty(), "OVN runs already");
        // What killed predecessors leave behind.
        let pids = ["nb.pid", "sb.pid", "northd.pid", "controller.pid"];
        for stale in ["nb.sock", "sb.sock", "nb.ctl", "sb.ctl"]
            .iter()
            .chain(&pids)
        {
            let _ = std::fs::remove_file(self.dir.path().join(stale));
        }
        let sb_tcp = format!("--remote=ptcp:{SB_PORT}:{}", self.sb_address);
        for (db, extra) in [("nb", None), ("sb", Some(sb_tcp))] {
            let mut args = vec![
                self.at(&format!("{db}.db")),
                format!("--remote=punix:{}", self.at(&format!("{db}.sock"))),
                format!("--unixctl={}", self.at(&format!("{db}.ctl"))),
            ];
            args.extend(extra);
            self.spawn("ovsdb-server", db, &args);
            let socket = self.dir.path().join(format!("{db}.sock"));
            self.wait(&format!("the {db} database's socket"), || {
                crate::ovs::listens(&socket)
            });
        }
        let northd = [
            format!("--ovnnb-db={}", self.nb()),
            format!("--ovnsb-db={}", self.sb()),
        ];
        self.spawn("ovn-northd", "northd", &northd);
        let controller = [self.ovs_db.clone()];
        self.spawn("ovn-controller", "controller", &controller);
        let sb = self.sb();
        self.wait("the chassis in the southbound database", || {
            sbctl_at(&sb, &["--bare", "--columns=name", "list", "chassis"]).contains(CHASSIS)
        });
        let ovs_db = self.ovs_db.clone();
        self.wait("br-int, made by ovn-controller", || {
            Command::new("ovs-vsctl")
                .args([&format!("--db={ovs_db}"), "br-exists", "br-int"])
                .status()
                .is_ok_and(|s| s.success())
        });
    }

    /// Kills every daemon (SIGKILL, by PID); the databases stay.
    pub fn stop(&mut self) {
        self.daemons.clear();
    }

    /// `PROGRAM ARGS --pidfile --log-file --no-chdir` in the host namespace,
    /// with both run dirs private.
    fn spawn(&mut self, program: &'static str, name: &str, args: &[String]) {
        let mut command = Command::new("ip");
        command
            .args(["netns", "exec", &self.ns, program])
            .args(args)
            .arg(format!("--pidfile={}", self.at(&format!("{name}.pid"))))
            .arg(format!("--log-file={}", self.at(&format!("{name}.log"))))
            .arg("--no-chdir")
            .env("OVN_RUNDIR", self.dir.path())
            .env("OVS_RUNDIR", &self.ovs_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = aio_child::spawn(&mut command)
            .unwrap_or_else(|e| panic!("{program} (packages ovn-central, ovn-host): {e}"));
        self.daemons.push(Daemon {
            name: program,
            child,
        });
    }

    /// Waits up to 10 s for `ready`, failing with the logs if a daemon died.
    fn wait(&self, what: &str, mut ready: impl FnMut() -> bool) {
        let ok = poll::within(Duration::from_secs(10), || {
            ready() || self.daemons.iter().any(|d| !d.alive())
        });
        let dead: Vec<&str> = self
            .daemons
            .iter()
            .filter(|d| !d.alive())
            .map(|d| d.name)
            .collect();
        assert!(
            ok && dead.is_empty(),
            "OVN: {what} not within 10 s (exited: {dead:?}); logs:\n{}",
            self.logs()
        );
    }

    /// The PIDs of the running daemons.
    pub fn pids(&self) -> Vec<u32> {
        self.daemons.iter().map(|d| d.child.id()).collect()
    }

    /// `ovn-nbctl --db=NB ARGS`, panicking with its stderr if it fails.
    pub fn nbctl(&self, args: &[&str]) -> String {
        ctl("ovn-nbctl", &self.nb(), args)
    }

    /// Waits (20 s at most) until `ovn-controller` has applied the
    /// northbound database as it is now (`ovn-nbctl --wait=hv sync`).
    pub fn sync(&self) -> Result<(), String> {
        let out = Command::new("ovn-nbctl")
            .arg(format!("--db={}", self.nb()))
            .args(["--timeout=20", "--wait=hv", "sync"])
            .output()
            .map_err(|e| format!("ovn-nbctl: {e}"))?;
        match out.status.success() {
            true => Ok(()),
            false => Err(format!(
                "ovn-nbctl --wait=hv sync: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )),
        }
    }

    /// `ovn-sbctl --db=SB ARGS`.
    pub fn sbctl(&self, args: &[&str]) -> String {
        sbctl_at(&self.sb(), args)
    }

    /// The tail of each daemon's log (for a failure's report).
    pub fn logs(&self) -> String {
        let mut out = String::new();
        for name in ["nb", "sb", "northd", "controller"] {
            out += &format!("--- {name}.log\n");
            out += &crate::files::tail(&self.dir.path().join(format!("{name}.log")), 15);
        }
        out
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

fn sbctl_at(sb: &str, args: &[&str]) -> String {
    ctl("ovn-sbctl", sb, args)
}

fn ctl(program: &str, db: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .arg(format!("--db={db}"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
