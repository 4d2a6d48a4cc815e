//! A private ovsdb-server for one test: its own database, socket and log in
//! a temporary directory, killed when dropped (also when the test panics).
//! Never the system's /run/openvswitch, and never ovs-vswitchd.

#![allow(dead_code)]

use aio_ovsdb::{Atom, Client, Condition, Datum, Mutation, Op, Row};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SCHEMA: &str = "/usr/share/openvswitch/vswitch.ovsschema";
pub const DB: &str = "Open_vSwitch";

pub struct Server {
    dir: tempfile::TempDir,
    child: Child,
}

impl Server {
    /// A server listening on `DIR/db.sock` and on the extra `remotes`.
    pub fn start(remotes: &[String]) -> Server {
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
        let child = Command::new("ovsdb-server")
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
            .stderr(Stdio::null())
            .spawn()
            .expect("ovsdb-server (package openvswitch-switch) runs");
        let mut server = Server { dir, child };
        let socket = server.dir.path().join("db.sock");
        server.wait_for("its unix socket", || socket.exists());
        server
    }

    /// A server also listening on TCP, on 127.0.0.1 only; returns its port.
    pub fn start_tcp() -> (Server, u16) {
        for _ in 0..5 {
            let port = free_port();
            let mut server = Server::start(&[format!("--remote=ptcp:{port}:127.0.0.1")]);
            if server.wait_for_tcp(port) {
                return (server, port);
            }
        }
        panic!("5 free ports in a row were taken before ovsdb-server could listen");
    }

    pub fn unix(&self) -> String {
        format!("unix:{}", self.dir.path().join("db.sock").display())
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    /// SIGKILL, like a crash: no goodbye on any connection.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
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
            if let Ok(Some(status)) = self.child.try_wait() {
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

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A port nothing listens on right now (the kernel's pick for 127.0.0.1:0).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}

/// The root row, a bridge `br0` with port `p0` (tag 10) and its interface,
/// all in one transaction: later operations refer to earlier rows by name.
pub fn topology() -> Vec<Op> {
    vec![
        Op::insert("Open_vSwitch", Row::new(), Some("ovs")),
        Op::insert(
            "Interface",
            Row::new().with("name", "p0").with("type", "internal"),
            Some("iface"),
        ),
        Op::insert(
            "Port",
            Row::new()
                .with("name", "p0")
                .with("tag", 10)
                .with("interfaces", Datum::set([Atom::named("iface")])),
            Some("port"),
        ),
        Op::insert(
            "Bridge",
            Row::new()
                .with("name", "br0")
                .with("ports", Atom::named("port"))
                .with("external_ids", Datum::map([("owner", "aio")])),
            Some("bridge"),
        ),
        Op::mutate(
            "Open_vSwitch",
            [Condition::eq("_uuid", Atom::named("ovs"))],
            [Mutation::insert(
                "bridges",
                Datum::set([Atom::named("bridge")]),
            )],
        ),
        Op::comment("aio-ovsdb test: br0 with p0"),
    ]
}

pub async fn port_tag(client: &Client) -> Option<i64> {
    let results = client
        .transact(
            DB,
            &[Op::select_columns(
                "Port",
                [Condition::eq("name", "p0")],
                &["tag"],
            )],
        )
        .await
        .unwrap();
    results[0].rows()[0].optional_integer("tag").unwrap()
}
