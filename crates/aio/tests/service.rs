//! `aio service install|uninstall` against a temporary unit dir, with a
//! stand-in `systemctl` on `PATH` that records its calls (no systemd runs
//! here), run inside a sandbox's namespace (`ip netns exec`), which plays
//! the host the unit would run on: the unit's text, the round trip,
//! refusals, a topology that does not fit the host, a missing systemctl,
//! and what `systemd-analyze` says of the unit written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Sandbox, command, stderr, stdout};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A sandbox host, and a temp dir holding its reference topology, a unit
/// dir and a `bin` dir for `PATH`.
struct Host {
    sandbox: Sandbox,
    dir: tempfile::TempDir,
}

impl Host {
    fn new() -> Host {
        let sandbox = Sandbox::new();
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(sandbox.reference(), dir.path().join("topology.toml")).unwrap();
        std::fs::create_dir(dir.path().join("units")).unwrap();
        std::fs::create_dir(dir.path().join("packaged")).unwrap();
        std::fs::create_dir(dir.path().join("bin")).unwrap();
        Host { sandbox, dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn unit(&self) -> PathBuf {
        self.path("units/aio.service")
    }

    /// A stand-in systemctl that records each call and exits with `code`.
    fn systemctl(&self, code: i32) {
        let log = self.path("calls");
        let script = format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\n[ {code} = 0 ] || echo 'Failed to connect to bus' >&2\nexit {code}\n",
            log.display()
        );
        let path = self.path("bin/systemctl");
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.path("calls"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// `aio service ARGS --unit-dir units`, run in the sandbox's namespace
    /// and the temp dir, with only `bin` on `PATH`.
    fn aio(&self, args: &[&str]) -> Output {
        let aio = command(&["service"]);
        let ip = aio_child::find_program("ip").expect("iproute2 is installed");
        Command::new(ip)
            .args(["netns", "exec", &self.sandbox.ns])
            .arg(aio.get_program())
            .args(aio.get_args())
            .envs(aio.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("RUST_LOG")
            .args(args)
            .arg("--unit-dir")
            .arg(self.path("units"))
            .arg("--package-unit-dir")
            .arg(self.path("packaged"))
            .current_dir(self.dir.path())
            .env("PATH", self.path("bin"))
            .output()
            .unwrap()
    }
}

/// What a run that must succeed printed.
fn ok(out: &Output) -> String {
    let printed = stdout(out);
    assert!(out.status.success(), "failed: {printed}{}", stderr(out));
    printed
}

/// What a run that must be refused (exit 1) said on stderr.
fn refused(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{}", stdout(out));
    stderr(out)
}

fn aio_binary() -> PathBuf {
    std::fs::canonicalize(env!("CARGO_BIN_EXE_aio")).unwrap()
}

#[test]
fn the_unit_runs_watch_on_the_absolute_file_after_the_network_and_before_docker() {
    let host = Host::new();
    host.systemctl(0);
    let out = ok(&host.aio(&["install", "-f", "topology.toml", "--dry-run"]));
    let topology = std::fs::canonicalize(host.path("topology.toml")).unwrap();
    let exec = format!(
        "ExecStart={} watch -f {}",
        aio_binary().display(),
        topology.display()
    );
    let lines: Vec<&str> = out.lines().collect();
    for line in [
        "[Unit]",
        "Wants=network-online.target",
        "After=network-online.target",
        "Before=docker.service",
        "[Service]",
        &exec,
        "Restart=on-failure",
        "RestartSec=15s",
        "KillSignal=SIGTERM",
        "[Install]",
        "WantedBy=multi-user.target",
    ] {
        assert!(lines.contains(&line), "{line} missing from:\n{out}");
    }
    assert!(
        !lines
            .iter()
            .any(|l| l.starts_with("After=") && l.contains("openvswitch")),
        "aio waits for OVSDB itself:\n{out}"
    );
    let unit = host.unit();
    for line in [
        format!("would write {}", unit.display()),
        "would run: systemctl daemon-reload".into(),
        "would run: systemctl enable aio.service".into(),
    ] {
        assert!(lines.contains(&line.as_str()), "{line} missing:\n{out}");
    }
    assert!(!unit.exists(), "--dry-run wrote the unit");
    assert_eq!(
        host.calls(),
        Vec::<String>::new(),
        "--dry-run ran systemctl"
    );
}

#[test]
fn install_and_uninstall_round_trip() {
    let host = Host::new();
    host.systemctl(0);
    let shown = ok(&host.aio(&["install", "-f", "topology.toml", "--dry-run"]));
    let out = ok(&host.aio(&["install", "-f", "topology.toml"]));
    assert!(out.contains("aio.service is enabled"), "{out}");
    let text = std::fs::read_to_string(host.unit()).unwrap();
    assert!(shown.starts_with(&text), "the dry run showed another unit");
    let mode = std::fs::metadata(host.unit()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o644);
    assert_eq!(host.calls(), ["daemon-reload", "enable aio.service"]);

    // Again: the same unit stays, systemctl is asked again (harmless).
    let out = ok(&host.aio(&["install", "-f", "topology.toml"]));
    assert!(out.contains("is already this unit"), "{out}");
    assert_eq!(std::fs::read_to_string(host.unit()).unwrap(), text);

    let out = ok(&host.aio(&["uninstall", "--dry-run"]));
    assert!(
        out.contains("would run: systemctl disable --now aio.service"),
        "{out}"
    );
    assert!(host.unit().exists(), "--dry-run removed the unit");
    ok(&host.aio(&["uninstall"]));
    assert!(!host.unit().exists());
    assert_eq!(
        host.calls()[4..],
        ["disable --now aio.service", "daemon-reload"]
    );
    let out = ok(&host.aio(&["uninstall"]));
    assert!(out.contains("nothing to do"), "{out}");
    assert_eq!(std::fs::read_dir(host.path("units")).unwrap().count(), 0);
}

#[test]
fn a_different_unit_is_kept_without_force() {
    let host = Host::new();
    host.systemctl(0);
    let foreign = "[Unit]\nDescription=someone else's aio\n";
    std::fs::write(host.unit(), foreign).unwrap();

    let err = refused(&host.aio(&["install", "-f", "topology.toml"]));
    assert!(err.contains("differs") && err.contains("--force"), "{err}");
    let err = refused(&host.aio(&["uninstall"]));
    assert!(err.contains("not written by aio"), "{err}");
    assert_eq!(std::fs::read_to_string(host.unit()).unwrap(), foreign);
    assert_eq!(host.calls(), Vec::<String>::new());

    ok(&host.aio(&["install", "-f", "topology.toml", "--force"]));
    assert_ne!(std::fs::read_to_string(host.unit()).unwrap(), foreign);

    // aio's own unit for another file is different too.
    std::fs::copy(host.path("topology.toml"), host.path("other.toml")).unwrap();
    let err = refused(&host.aio(&["install", "-f", "other.toml"]));
    assert!(err.contains("an earlier aio service install"), "{err}");
    let out = ok(&host.aio(&["install", "-f", "other.toml", "--dry-run"]));
    assert!(out.contains("would stop: "), "{out}");
}

#[test]
fn without_systemctl_nothing_is_written_unless_asked() {
    let host = Host::new();
    let err = refused(&host.aio(&["install", "-f", "topology.toml"]));
    assert!(err.contains("systemctl not found"), "{err}");
    assert!(!host.unit().exists());

    let out = ok(&host.aio(&["install", "-f", "topology.toml", "--no-systemctl"]));
    assert!(!out.contains("systemctl"), "{out}");
    assert!(host.unit().exists());
    let err = refused(&host.aio(&["uninstall"]));
    assert!(err.contains("systemctl not found"), "{err}");
    assert!(host.unit().exists());
    ok(&host.aio(&["uninstall", "--no-systemctl"]));
    assert!(!host.unit().exists());
}

#[test]
fn failures_are_named() {
    let host = Host::new();
    host.systemctl(1);
    let err = refused(&host.aio(&["install", "-f", "topology.toml"]));
    assert!(
        err.contains("systemctl daemon-reload failed") && err.contains("Failed to connect to bus"),
        "{err}"
    );
    let err = refused(&host.aio(&["install", "-f", "missing.toml", "--no-systemctl"]));
    assert!(err.contains("missing.toml"), "{err}");
    std::fs::write(host.path("bad.toml"), "version = 1\nadress = 1\n").unwrap();
    let err = refused(&host.aio(&["install", "-f", "bad.toml", "--no-systemctl"]));
    assert!(err.contains("bad.toml:2:1"), "{err}");
    assert!(!Path::new(&host.path("units/aio.service.aio-tmp")).exists());
}

/// Moves the sandbox's uplink onto 10.0.2.0/24, QEMU's and VirtualBox's
/// default NAT network (`10.0.2.15`, gateway `10.0.2.2`), where the
/// reference puts dummy1 (`10.0.2.2/24`).
fn uplink_on_the_default_nat_network(host: &Host) {
    let sb = &host.sandbox;
    sb.ip(&["addr", "flush", "dev", "eth0"]);
    sb.ip(&["addr", "add", "10.0.2.15/24", "dev", "eth0"]);
    sb.host
        .upstream_ip(&["addr", "add", "10.0.2.2/24", "dev", "up0"]);
    sb.ip(&["route", "replace", "default", "via", "10.0.2.2"]);
}

#[test]
fn a_topology_that_does_not_fit_the_host_is_not_installed() {
    let host = Host::new();
    host.systemctl(0);
    // A topology that fits is installed.
    ok(&host.aio(&["install", "-f", "topology.toml"]));
    let installed = std::fs::read_to_string(host.unit()).unwrap();
    let units = aio_sandbox::files_under(&host.path("units"));

    uplink_on_the_default_nat_network(&host);
    std::fs::copy(host.path("topology.toml"), host.path("other.toml")).unwrap();
    let other = std::fs::canonicalize(host.path("other.toml")).unwrap();
    // What `aio plan` says of the file on this host: where and why.
    let plan = host.sandbox.aio("plan", &other, &[]);
    let located = stderr(&plan).lines().next().unwrap_or_default().to_string();
    let text = std::fs::read_to_string(&other).unwrap();
    let line = 1 + text
        .lines()
        .position(|l| l.starts_with("addresses = [\"10.0.2.2/24\"]"))
        .unwrap();
    assert!(
        located.starts_with(&format!("{}:{line}:", other.display())) && located.contains("dummy1"),
        "aio plan does not locate the clash at dummy1's address (line {line}): {}",
        stderr(&plan)
    );

    for dry_run in [true, false] {
        let args = ["install", "-f", "other.toml", "--force", "--dry-run"];
        let out = host.aio(&args[..if dry_run { 5 } else { 4 }]);
        let err = refused(&out);
        assert!(err.contains(&located), "not the located error:\n{err}");
        assert!(err.contains("aio.service was not installed"), "{err}");
        assert!(!stdout(&out).contains("would write"), "{}", stdout(&out));
    }
    assert_eq!(aio_sandbox::files_under(&host.path("units")), units);
    assert_eq!(std::fs::read_to_string(host.unit()).unwrap(), installed);
    assert_eq!(host.calls(), ["daemon-reload", "enable aio.service"]);
}

#[test]
fn with_the_packaged_unit_only_a_drop_in_is_written_and_removed() {
    let host = Host::new();
    host.systemctl(0);
    // An install from before the package: its whole unit would hide the packaged one.
    ok(&host.aio(&["install", "-f", "topology.toml"]));
    assert!(host.unit().exists());
    let packaged = host.path("packaged/aio.service");
    let text = aio::commands::packaged_unit(
        Path::new("/usr/bin/aio"),
        Path::new("/etc/aio/topology.toml"),
    )
    .unwrap();
    std::fs::write(&packaged, &text).unwrap();

    let out = ok(&host.aio(&["install", "-f", "topology.toml", "--dry-run"]));
    assert!(
        out.contains("would remove") && host.unit().exists(),
        "{out}"
    );
    let out = ok(&host.aio(&["install", "-f", "topology.toml"]));
    assert!(out.contains("installed by the package"), "{out}");
    assert!(
        !host.unit().exists(),
        "the old unit still overrides the packaged one:\n{out}"
    );
    let drop_in = std::fs::read_to_string(host.path("units/aio.service.d/topology.conf")).unwrap();
    let topology = std::fs::canonicalize(host.path("topology.toml")).unwrap();
    let exec = format!(
        "ExecStart={} watch -f {}",
        aio_binary().display(),
        topology.display()
    );
    let lines: Vec<&str> = drop_in.lines().collect();
    assert!(
        lines.ends_with(&["[Service]", "ExecStart=", &exec]),
        "{drop_in}"
    );
    assert_eq!(
        std::fs::read_to_string(&packaged).unwrap(),
        text,
        "the packaged unit was touched"
    );
    assert_eq!(host.calls()[2..], ["daemon-reload", "enable aio.service"]);

    let out = ok(&host.aio(&["uninstall"]));
    assert!(out.contains("stays installed"), "{out}");
    assert!(!host.path("units/aio.service.d").exists());
    assert_eq!(std::fs::read_to_string(&packaged).unwrap(), text);
    assert_eq!(
        host.calls()[4..],
        ["disable --now aio.service", "daemon-reload"]
    );

    // A whole unit aio did not write is refused, not removed.
    std::fs::write(host.unit(), "[Unit]\n").unwrap();
    let err = refused(&host.aio(&["install", "-f", "topology.toml"]));
    assert!(err.contains("overrides the packaged unit"), "{err}");
    assert!(host.unit().exists());
}

/// The exposure `systemd-analyze security --offline=yes` gave the unit aio
/// writes (5.5 when measured; the unit without hardening was 9.6), times ten
/// as `--threshold` takes it.
const EXPOSURE_AT_MOST: u32 = 55;

/// `systemd-analyze ARGS UNIT`: its exit status and all it said.
fn analyze(args: &[&str], unit: &Path) -> (bool, String) {
    let out = std::process::Command::new("systemd-analyze")
        .args(args)
        .arg(unit)
        .output()
        .expect("systemd-analyze (systemd) is installed where the tests run");
    (
        out.status.success(),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

#[test]
fn the_unit_is_valid_hardened_and_gives_up_restarting() {
    let host = Host::new();
    ok(&host.aio(&["install", "-f", "topology.toml", "--no-systemctl"]));
    let unit = host.unit();
    let text = std::fs::read_to_string(&unit).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for line in [
        "StartLimitIntervalSec=10min",
        "StartLimitBurst=10",
        "UMask=0077",
        "NoNewPrivileges=yes",
        "RestrictAddressFamilies=AF_UNIX AF_NETLINK AF_INET AF_INET6 AF_PACKET",
    ] {
        assert!(lines.contains(&line), "{line} missing from:\n{text}");
    }
    assert!(
        !lines.iter().any(|l| l.starts_with("PrivateNetwork=")
            || l.starts_with("ProtectKernelTunables=")
            || l.starts_with("StartLimitIntervalSec=0")),
        "the unit would not reach the host's network or /proc/sys, or restarts forever:\n{text}"
    );

    let (valid, said) = analyze(&["verify", "--man=no"], &unit);
    assert!(
        valid && said.trim().is_empty(),
        "systemd-analyze verify: {said}"
    );

    let threshold = format!("--threshold={EXPOSURE_AT_MOST}");
    let (safe, said) = analyze(&["security", "--offline=yes", &threshold], &unit);
    let overall = said
        .lines()
        .find(|l| l.contains("Overall exposure level"))
        .unwrap_or_else(|| panic!("no overall exposure in:\n{said}"));
    assert!(
        safe,
        "exposure above {EXPOSURE_AT_MOST}/10: {overall}\n{said}"
    );
}
