//! Everything CI runs, installing first what the tests need on a fresh
//! machine: the Debian packages, then the venvs and the VM image beside the
//! Debian package of aio, then beside the VM suites (`cargo xtask vm`, the
//! longest part) the format check, clippy, the API docs, no import loop between the files
//! of a crate, every test and the fuzz targets.

use std::process::Command;

use crate::shell::{require_root, sh};

/// Debian packages the tests use: `ip` for sandboxes, `ping` for traffic,
/// `nft` for NAT, `iptables` to leave a host as the old installer does,
/// `ovsdb-server`/`ovs-vswitchd` for Open vSwitch, OVN's databases,
/// `ovn-northd` and `ovn-controller` for the data path as Neutron wires it,
/// `ethtool` for the userspace datapath's offloads, `dot` to render `aio graph`,
/// `man` to render the man pages, `sshd` for the multinode test over SSH (one
/// per host namespace; the package's own service never starts, see [`POLICY_RC_D`]),
/// `lintian` to check aio's own Debian package, `mariadbd` for the private
/// database of the sandbox's Keystone and neutron-server (its Debian service
/// never starts either), `openssl` to make the TLS test's CA and certificate,
/// `python3-venv` for the kolla-ansible and OpenStack venvs.
const PACKAGES: [&str; 15] = [
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
    "lintian",
    "mariadb-server",
    "openssl",
    "python3-venv",
];
/// Makes package scripts leave services alone: nothing may start in the root namespace.
const POLICY_RC_D: &str = "/usr/sbin/policy-rc.d";

/// How long CI runs each fuzz target.
const FUZZ_SECONDS: &str = "20";

/// What the Kolla tests install into the cached venv.
const KOLLA_PACKAGE: &str = "kolla-ansible>=20,<21";
/// Tells the tests why there is no kolla venv (set only when PyPI could not be reached).
pub const NO_VENV_ENV: &str = "AIO_TEST_NO_KOLLA_VENV";
/// Tells the tests why there is no OpenStack venv (set only when PyPI could not be reached).
pub const NO_OPENSTACK_VENV_ENV: &str = "AIO_TEST_NO_OPENSTACK_VENV";
/// The Taplo CLI the editor test runs, from the npm registry.
const TAPLO_PACKAGE: &str = "@taplo/cli@0.7";
/// Tells the tests why there is no Taplo (set only when npm could not install it).
pub const NO_TAPLO_ENV: &str = "AIO_TEST_NO_TAPLO";

/// What the tests need that could not be installed, and why: the tests
/// that need it say so instead of failing.
#[derive(Default)]
pub struct Missing {
    venv: Option<String>,
    openstack_venv: Option<String>,
    taplo: Option<String>,
}

impl Missing {
    /// The variables that tell the tests what is missing and why.
    fn env(&self) -> Vec<(&'static str, String)> {
        [
            (NO_VENV_ENV, &self.venv),
            (NO_OPENSTACK_VENV_ENV, &self.openstack_venv),
            (NO_TAPLO_ENV, &self.taplo),
        ]
        .into_iter()
        .filter_map(|(env, why)| Some((env, why.clone()?)))
        .collect()
    }
}

pub fn run() -> Result<(), String> {
    require_root("cargo xtask ci")?;
    install_packages()?;
    // On a fresh machine the venvs take minutes of downloads, and the VM
    // image too: both are made while the package builds, so that the VM
    // suites, the longest part, start as early as they can.
    let venvs = std::thread::spawn(venvs);
    let vm_prepared = std::thread::spawn(crate::vm::prepare);
    // Taplo first: the package's check runs it on the example.
    let taplo = taplo().err();
    let packaged = crate::dist::run(&["--check".into()]);
    // Both waited for on every path, so that nothing outlives CI.
    let prepared = vm_prepared
        .join()
        .unwrap_or_else(|_| crate::vm::Prepared::Failed("preparing the VM image panicked".into()));
    let missing = venvs
        .join()
        .map_err(|_| "installing the venvs panicked".to_string())?;
    let missing = Missing { taplo, ..missing };
    packaged?;
    // Real boots in real VMs, with the package dist just made, beside the
    // static checks and the workspace's tests.
    let suites = crate::vm::Suites::start(prepared)?;
    yield_to_the_vms();
    let tested = static_checks().and_then(|()| tests(&missing));
    // Each fuzz target for a bounded time (skipped, saying so, without
    // nightly), while the VM suites still run.
    let fuzzed = tested
        .is_ok()
        .then(|| crate::fuzz::run(&["--seconds".into(), FUZZ_SECONDS.into()]));
    let booted = suites.finish();
    tested?;
    booted?;
    fuzzed.unwrap_or(Ok(()))
}

/// How much less the work beside the VM suites weighs for the scheduler.
/// At nice 10 a compiler or a test gets about a tenth of a core that a
/// busy VM also wants, and all of an idle one.
const BESIDE_THE_VMS_NICE: libc::c_int = 10;

/// Lowers the priority of this thread and so of everything it starts from
/// now on (Linux keeps a nice value per thread; children inherit it): the
/// VM suites started before keep theirs. They are the longest part of CI
/// and CPU-bound under TCG, so CI ends sooner when they never wait for a
/// core and the checks and tests fill the time their VMs leave idle.
fn yield_to_the_vms() {
    // SAFETY: setpriority only reads its three integer arguments.
    let set = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, BESIDE_THE_VMS_NICE) };
    if set != 0 {
        let why = std::io::Error::last_os_error();
        eprintln!("xtask ci: the checks and tests keep their priority: setpriority: {why}");
    }
}

/// Format, lints, the API docs, import loops, the man pages and completions.
fn static_checks() -> Result<(), String> {
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
    // Public docs that link to what they cannot show are broken links.
    sh(
        "cargo",
        &[
            "doc",
            "--workspace",
            "--no-deps",
            "--config",
            r#"build.rustdocflags=["-D", "warnings"]"#,
        ],
    )?;
    println!("$ cargo xtask cycles");
    crate::cycles::run()?;
    crate::docs::check_completions_and_man()
}

/// Every test of the workspace, the binaries side by side
/// ([`crate::lanes`]): one after the other they take about 25 minutes,
/// mostly waiting, and outlasted the VM suites; beside them at nice 10
/// they take the CPU the VMs leave.
fn tests(missing: &Missing) -> Result<(), String> {
    let env = missing.env();
    for (name, why) in &env {
        eprintln!("xtask ci: {name}: {why}");
    }
    crate::lanes::run(&env)
}

/// Installs what the tests need: the Debian packages (an error stops), the
/// kolla-ansible and OpenStack venvs and Taplo (what could not be installed
/// is returned).
pub fn setup() -> Result<Missing, String> {
    require_root("cargo xtask setup")?;
    install_packages()?;
    Ok(Missing {
        taplo: taplo().err(),
        ..venvs()
    })
}

/// The kolla-ansible and OpenStack venvs, or why each is missing.
fn venvs() -> Missing {
    Missing {
        venv: kolla_venv().err(),
        openstack_venv: openstack_venv().err(),
        taplo: None,
    }
}

/// Taplo, the TOML language server's CLI, kept outside the repository.
fn taplo() -> Result<(), String> {
    if std::path::Path::new(aio_sandbox::TAPLO).exists() {
        return Ok(());
    }
    let prefix = aio_sandbox::TAPLO
        .split("/node_modules/")
        .next()
        .unwrap_or_default();
    sh(
        "npm",
        &[
            "install",
            "--no-fund",
            "--no-audit",
            "--prefix",
            prefix,
            TAPLO_PACKAGE,
        ],
    )
}

/// The kolla-ansible venv the tests use, made once and kept outside the repository.
pub fn kolla_venv() -> Result<(), String> {
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

/// The venv of the sandbox's Keystone and neutron-server, made once and kept
/// outside the repository, from the pins in `crates/aio-sandbox/openstack/`.
pub fn openstack_venv() -> Result<(), String> {
    let path = aio_sandbox::openstack::OPENSTACK_VENV;
    let venv = std::path::Path::new(path);
    if aio_sandbox::openstack::venv_has_pins() {
        return Ok(());
    }
    if !venv.join("bin/python").exists() {
        sh("python3", &["-m", "venv", path])?;
    }
    let pins = crate::shell::root().join("crates/aio-sandbox/openstack");
    let constraints = pins.join("upper-constraints-2025.1.txt");
    let requirements = pins.join("requirements.txt");
    let pip = venv.join("bin/pip").display().to_string();
    sh(
        &pip,
        &[
            "install",
            "-q",
            "--disable-pip-version-check",
            "-c",
            &constraints.display().to_string(),
            "-r",
            &requirements.display().to_string(),
        ],
    )?;
    // Only a finished install of these pins counts (a failed or older one
    // is installed over).
    let marker = venv.join(aio_sandbox::openstack::PINS_MARKER);
    std::fs::write(&marker, aio_sandbox::openstack::pins_digest())
        .map_err(|e| format!("{}: {e}", marker.display()))
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
