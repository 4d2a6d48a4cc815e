//! Open vSwitch pieces for tests and the demo: a private `ovsdb-server`
//! ([`Ovsdb`]: its own database, socket and log in a temporary directory,
//! never the system's /run/openvswitch) and an `ovs-vswitchd` with the
//! userspace datapath inside a sandbox namespace ([`Vswitchd`]). Both are
//! killed when dropped, also when a test panics.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const SCHEMA: &str = "/usr/share/openvswitch/vswitch.ovsschema";
pub const DB: &str = "Open_vSwitch";

pub struct Ovsdb {
    dir: tempfile::TempDir,
    child: aio_child::Guarded,
}

impl Ovsdb {
    /// A server listening on `DIR/db.sock` and on the extra `remotes`.
    pub fn start(remotes: &[String]) -> Ovsdb {
        let dir = tempfile::Builder::new()
            .prefix("aio-ovsdb-")
            .tempdir()
            .unwrap();
        let at = |name: &str| dir.path().join(name).display().to_string();
        let created = Command::new("ovsdb-tool")
            .args(["create", &at("conf.db"), SCHEMA])
            .status()
            .expect("ovsdb-tool (package openvswitch-switch) runs");
        assert!(created.success(), "ovsdb-tool create failed");
        let child = spawn(dir.path(), remotes);
        let mut server = Ovsdb { dir, child };
        let socket = server.dir.path().join("db.sock");
        server.wait_for("its unix socket", || listens(&socket));
        server
    }

    /// Starts the server again on the same database, as after a reboot.
    pub fn restart(&mut self) {
        self.kill();
        let socket = self.dir.path().join("db.sock");
        let _ = std::fs::remove_file(&socket);
        self.child = spawn(self.dir.path(), &[]);
        self.wait_for("its unix socket", || listens(&socket));
    }

    /// A server also listening on TCP, on 127.0.0.1 only; returns its port.
    pub fn start_tcp() -> (Ovsdb, u16) {
        for _ in 0..5 {
            let port = free_port();
            let mut server = Ovsdb::start(&[format!("--remote=ptcp:{port}:127.0.0.1")]);
            if server.wait_for_tcp(port) {
                return (server, port);
            }
        }
        panic!("5 free ports in a row were taken before ovsdb-server could listen");
    }

    pub fn unix(&self) -> String {
        format!("unix:{}", self.dir.path().join("db.sock").display())
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The last lines of its log.
    pub fn log(&self) -> String {
        crate::files::tail(&self.dir.path().join("log"), 40)
    }

    /// SIGKILL, like a crash: no goodbye on any connection.
    pub fn kill(&mut self) {
        let _ = self.child.child_mut().kill();
        let _ = self.child.wait();
    }

    /// Waits until the server listens on `port`; false if someone else
    /// took the port between [`free_port`] and the server's bind.
    pub fn wait_for_tcp(&mut self, port: u16) -> bool {
        let log = self.dir.path().join("log");
        let failed = format!("ptcp:{port}:127.0.0.1: listen failed");
        let taken = || std::fs::read_to_string(&log).is_ok_and(|text| text.contains(&failed));
        self.wait_for(&format!("TCP port {port}"), || {
            taken() || TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok()
        });
        !taken()
    }

    fn wait_for(&mut self, what: &str, mut ready: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !ready() {
            if let Ok(Some(status)) = self.child.child_mut().try_wait() {
                panic!("ovsdb-server exited ({status}); its log:\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "ovsdb-server did not open {what} within 10 s; its log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Ovsdb {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `ovsdb-server` on `dir/conf.db`, listening on `dir/db.sock` and `remotes`.
fn spawn(dir: &Path, remotes: &[String]) -> aio_child::Guarded {
    let at = |name: &str| dir.join(name).display().to_string();
    let mut command = Command::new("ovsdb-server");
    command
        .arg(at("conf.db"))
        // The other remotes first: once the socket exists, they have
        // been tried, and a port taken by someone else is in the log.
        .args(remotes)
        .arg(format!("--remote=punix:{}", at("db.sock")))
        .arg(format!("--unixctl={}", at("ctl")))
        .arg("--no-chdir")
        .arg(format!("--log-file={}", at("log")))
        .arg(format!("--pidfile={}", at("pid")))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    aio_child::spawn(&mut command).expect("ovsdb-server (package openvswitch-switch) runs")
}

/// `copies` OVSDB echo requests with `param`, back to back: what a peer
/// flooding its other end with probes writes at once.
pub fn echo_flood(param: &str, copies: usize) -> Vec<u8> {
    format!(r#"{{"id":"e","method":"echo","params":["{param}"]}}"#)
        .into_bytes()
        .repeat(copies)
}

/// A port nothing listens on right now (the kernel's pick for 127.0.0.1:0).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}

impl Ovsdb {
    /// Runs `ovs-vsctl --db=unix:SOCK --no-wait ARGS`, panicking if it fails.
    pub fn vsctl(&self, args: &[&str]) -> String {
        let out = Command::new("ovs-vsctl")
            .arg(format!("--db={}", self.unix()))
            .arg("--no-wait")
            .args(args)
            .output()
            .expect("ovs-vsctl (package openvswitch-switch) runs");
        assert!(
            out.status.success(),
            "ovs-vsctl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

/// `ovs-vswitchd` in network namespace `ns`, serving `db`'s bridges with the
/// userspace datapath (bridges need `datapath_type=netdev`): the kernel here
/// has no openvswitch module, and nothing reaches the root namespace.
pub struct Vswitchd {
    child: aio_child::Guarded,
    log: std::path::PathBuf,
    ctl: std::path::PathBuf,
}

impl Vswitchd {
    /// The daemon's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn start(ns: &str, db: &Ovsdb) -> Vswitchd {
        db.vsctl(&["init"]);
        let at = |name: &str| db.dir().join(name).display().to_string();
        // A killed predecessor leaves its control socket and pid file behind.
        let ctl = db.dir().join("vswitchd.ctl");
        let _ = std::fs::remove_file(&ctl);
        let _ = std::fs::remove_file(db.dir().join("vswitchd.pid"));
        let mut command = Command::new("ip");
        command
            .args(["netns", "exec", ns, "ovs-vswitchd", &db.unix()])
            .arg(format!("--pidfile={}", at("vswitchd.pid")))
            .arg(format!("--log-file={}", at("vswitchd.log")))
            .arg(format!("--unixctl={}", at("vswitchd.ctl")))
            .arg("--no-chdir")
            // Its bridges' management sockets go here too.
            .env("OVS_RUNDIR", db.dir())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child =
            aio_child::spawn(&mut command).expect("ovs-vswitchd (package openvswitch-switch) runs");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !ctl.exists() {
            assert!(
                Instant::now() < deadline,
                "ovs-vswitchd did not start within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Vswitchd {
            child,
            log: db.dir().join("vswitchd.log"),
            ctl,
        }
    }

    /// `ovs-appctl -t CTL ARGS` (`dpctl/dump-conntrack`, …), panicking if it fails.
    pub fn appctl(&self, args: &[&str]) -> String {
        let out = Command::new("ovs-appctl")
            .arg("-t")
            .arg(&self.ctl)
            .args(args)
            .output()
            .expect("ovs-appctl (package openvswitch-common) runs");
        assert!(
            out.status.success(),
            "ovs-appctl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The last lines of its log.
    pub fn log(&self) -> String {
        crate::files::tail(&self.log, 40)
    }
}

impl Drop for Vswitchd {
    fn drop(&mut self) {
        let _ = self.child.child_mut().kill();
        let _ = self.child.wait();
    }
}

/// Whether a server accepts connections on `socket`: the file appears at
/// `bind`, before `listen`, and a loaded machine can run a client in between.
pub fn listens(socket: &Path) -> bool {
    std::os::unix::net::UnixStream::connect(socket).is_ok()
}
