//! Everything CI runs, installing first what the tests need on a fresh machine.

use std::process::Command;

use crate::{require_root, sh};

/// Debian packages the tests use: `ip` for sandboxes, `ping` for traffic,
/// `nft` for NAT, `iptables` to leave a host as the old installer does,
/// `ovsdb-server`/`ovs-vswitchd` for Open vSwitch, OVN's databases,
/// `ovn-northd` and `ovn-controller` for the data path as Neutron wires it,
/// `ethtool` for the userspace datapath's offloads, `dot` to render `aio graph`,
/// `man` to render the man pages, `sshd` for the multinode test over SSH (one
/// per host namespace; the package's own service never starts, see [`POLICY_RC_D`]).
const PACKAGES: [&str; 11] = [
    "iproute2",
    "iputils-ping",
    "nftables",
    "iptables",
    "openvswitch-switch",
    "ovn-central",
    "ovn-host",
    "ethtool",
    "graphviz",
    "man-db",
    "openssh-server",
];
/// Makes package scripts leave services alone: nothing may start in the root namespace.
const POLICY_RC_D: &str = "/usr/sbin/policy-rc.d";

/// How long CI runs each fuzz target.
const FUZZ_SECONDS: &str = "20";

/// What the Kolla tests install into the cached venv.
const KOLLA_PACKAGE: &str = "kolla-ansible>=20,<21";
/// Tells the tests why there is no kolla venv (set only when PyPI could not be reached).
pub const NO_VENV_ENV: &str = "AIO_TEST_NO_KOLLA_VENV";

pub fn run() -> Result<(), String> {
    require_root("cargo xtask ci")?;
    install_packages()?;
    let no_venv = kolla_venv().err();
    sh("cargo", &["fmt", "--all", "--", "--check"])?;
    sh(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    crate::docs::check_completions_and_man()?;
    let mut test = Command::new("cargo");
    test.args(["test", "--workspace"])
        .current_dir(crate::root());
    if let Some(why) = &no_venv {
        eprintln!("xtask ci: no kolla venv, the tests that need it will say so: {why}");
        test.env(NO_VENV_ENV, why);
    }
    println!("$ cargo test --workspace");
    let status = test.status().map_err(|e| format!("cargo test: {e}"))?;
    if !status.success() {
        return Err(format!("cargo test failed ({status})"));
    }
    // Each fuzz target for a bounded time (skipped, saying so, without nightly).
    crate::fuzz::run(&["--seconds".into(), FUZZ_SECONDS.into()])
}

/// The kolla-ansible venv the tests use, made once and kept outside the repository.
fn kolla_venv() -> Result<(), String> {
    let venv = std::path::Path::new(aio_sandbox::KOLLA_VENV);
    if venv.join("bin/kolla-genpwd").exists() {
        return Ok(());
    }
    if !venv.join("bin/python").exists() {
        sh("python3", &["-m", "venv", aio_sandbox::KOLLA_VENV])?;
    }
    let pip = venv.join("bin/pip").display().to_string();
    sh(
        &pip,
        &[
            "install",
            "-q",
            "--disable-pip-version-check",
            KOLLA_PACKAGE,
        ],
    )
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

pub fn install_packages() -> Result<(), String> {
    let missing: Vec<&str> = PACKAGES.into_iter().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    sh("apt-get", &["update", "-q"])?;
    // Tests start their own private daemons; the packages' services must not start.
    let guard = !std::path::Path::new(POLICY_RC_D).exists();
    if guard {
        write_executable(POLICY_RC_D, "#!/bin/sh\nexit 101\n")?;
    }
    let install = [
        "DEBIAN_FRONTEND=noninteractive",
        "apt-get",
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
    ];
    let result = sh("env", &[&install[..], &missing].concat());
    if guard {
        let _ = std::fs::remove_file(POLICY_RC_D);
    }
    result
}

fn write_executable(path: &str, text: &str) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).map_err(|e| format!("{path}: {e}"))?;
    let mode = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(path, mode).map_err(|e| format!("{path}: {e}"))
}
