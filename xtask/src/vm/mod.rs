//! `cargo xtask vm`: aio in a real Debian 12 VM under QEMU (TCG). Builds
//! or restores the cached image (see `aio_vm`), boots one VM in a network
//! namespace of its own, installs the Debian package with `apt-get`, applies
//! a small topology through `aio service install` and a real reboot, and
//! repairs a deleted veth. Each proof is a checked line with its time.
//! Everything it made (QEMU, namespace, taps, overlay, key) is gone when it
//! returns, whether the proofs passed or not.
//!
//! `--deb FILE` takes that package; without it, the newest
//! `target/dist/aio_*.deb`, else `cargo xtask dist` makes one.

mod host;
mod multinode;
mod refusal;
mod remote;
mod report;
mod seed;
mod topology;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use aio_vm::{Accel, Image, Lab, Obtained, Recipe, SshKey};

use crate::shell::{on_path, require_root, sh};
use report::Report;

/// What every suite gets: the image, the package, the run's directory (for
/// overlays, consoles and the key) and the key its VMs trust.
pub struct Run {
    pub image: Image,
    pub deb: PathBuf,
    pub dir: PathBuf,
    pub key: SshKey,
    /// KVM where a real one boots the image's kernel, else TCG.
    pub accel: Accel,
    /// The design broken on purpose (`--break`), to see a proof fail.
    pub broken: Option<Break>,
}

/// A way to break the design on purpose: the proof that catches it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Break {
    /// aio.service without `Before=docker.service`.
    UnitOrder,
    /// NAT out of an interface the host does not have.
    NatOut,
}

impl Break {
    fn parse(name: &str) -> Result<Self, String> {
        match name {
            "unit-order" => Ok(Self::UnitOrder),
            "nat-out" => Ok(Self::NatOut),
            _ => Err(format!("no way to break named {name}; {USAGE}")),
        }
    }
}

/// A group of proofs with VMs of its own, run by name with `--only`.
struct Suite {
    name: &'static str,
    what: &'static str,
    prove: fn(&Run, &mut Report) -> Result<(), String>,
}

const SUITES: &[Suite] = &[
    Suite {
        name: "host",
        what: "one VM: the package, aio.service through real reboots, late OVS, drift",
        prove: host::prove,
    },
    Suite {
        name: "refusal",
        what: "a VM with its uplink on 10.0.2.0/24: aio service install refuses the reference",
        prove: refusal::prove,
    },
    Suite {
        name: "seed",
        what: "a host built by the seed's installer, adopted",
        prove: seed::prove,
    },
    Suite {
        name: "multinode",
        what: "three VMs converged by the Ansible collection over SSH",
        prove: multinode::prove,
    },
];

const USAGE: &str = "usage: cargo xtask vm [--deb FILE] [--only SUITE[,SUITE...]] [--break unit-order|nat-out] (suites: host, refusal, seed, multinode)";

pub fn run(args: &[String]) -> Result<(), String> {
    let mut deb = None;
    let mut only: Option<Vec<String>> = None;
    let mut broken = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match (arg.as_str(), rest.next()) {
            ("--deb", Some(file)) => deb = Some(PathBuf::from(file)),
            ("--only", Some(names)) => only = Some(names.split(',').map(String::from).collect()),
            ("--break", Some(name)) => broken = Some(Break::parse(name)?),
            _ => return Err(USAGE.into()),
        }
    }
    let suites = chosen(only.as_deref())?;
    require_root("cargo xtask vm")?;
    // Ctrl-C ends the waits, so that the usual cleanup runs.
    ctrlc::set_handler(|| aio_vm::INTERRUPTED.store(true, Ordering::SeqCst))
        .map_err(|e| e.to_string())?;
    install_tools()?;
    let deb = match deb {
        Some(deb) => deb,
        None => package()?,
    };
    let swept = Lab::sweep_stale().map_err(|e| e.to_string())?;
    if !swept.is_empty() {
        println!(
            "deleted namespaces left by interrupted runs: {}",
            swept.join(", ")
        );
    }
    let mut report = Report::new();
    let image = report.check("the image is built or restored", image)?;
    let dir = tempfile::Builder::new()
        .prefix("aio-vm-run.")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let key = SshKey::generate(dir.path()).map_err(|e| e.to_string())?;
    let accel = report.check("the accelerator is probed", || {
        let probed = Accel::probe(&image);
        Ok((probed.accel, probed.to_string()))
    })?;
    let run = Run {
        image,
        deb,
        dir: dir.path().to_path_buf(),
        key,
        accel,
        broken,
    };
    for suite in suites {
        println!("{}: {}", suite.name, suite.what);
        if let Err(why) = (suite.prove)(&run, &mut report) {
            show_consoles(&run.dir);
            return Err(why);
        }
    }
    let kept = run.dir.clone();
    drop(run);
    dir.close()
        .map_err(|e| format!("{}: {e}", kept.display()))?;
    report.check("nothing of the run is left behind", || left_behind(&kept))?;
    report.finish();
    Ok(())
}

/// No namespace of this run, no QEMU on its files, no run directory (the
/// overlays, consoles and key were in it).
fn left_behind(dir: &Path) -> Result<((), String), String> {
    let namespaces = aio_sandbox::namespaces_starting(&format!("aio-vm-{}-", std::process::id()));
    if !namespaces.is_empty() {
        return Err(format!("namespaces left: {}", namespaces.join(", ")));
    }
    let marker = dir.display().to_string();
    let qemus: Vec<String> = std::fs::read_dir("/proc")
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            (cmdline.starts_with("qemu-system") && cmdline.contains(&marker))
                .then(|| entry.file_name().to_string_lossy().into_owned())
        })
        .collect();
    if !qemus.is_empty() {
        return Err(format!(
            "QEMU still running on the run's files: pids {}",
            qemus.join(", ")
        ));
    }
    if dir.exists() {
        return Err(format!("{} is still there", dir.display()));
    }
    Ok(((), "no namespace, QEMU, tap or overlay".into()))
}

/// What `cargo xtask ci` starts in the background while the workspace
/// builds and its tests run: QEMU and mmdebstrap installed, and the image
/// built when it is not cached. Its line says what it found or took.
pub fn prepare() -> Result<(), String> {
    usable()?;
    let (_, said) = image()?;
    println!("xtask ci: the VM image, prepared beside the tests: {said}");
    Ok(())
}

/// What `cargo xtask ci` runs: every suite, once [`prepare`] said how it
/// went. A machine where QEMU cannot be installed or run says the suite
/// is skipped, in a line of its own, except in CI (`CI=true`), where that
/// is a failure.
pub fn run_in_ci(prepared: Result<(), String>) -> Result<(), String> {
    println!("$ cargo xtask vm");
    match prepared {
        Ok(()) => run(&[]),
        Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            Err(format!("the VM suite cannot run in CI: {why}"))
        }
        Err(why) => {
            println!("xtask ci: SKIPPED the VM suite (real boots): {why}");
            Ok(())
        }
    }
}

/// QEMU and mmdebstrap are installed and QEMU starts.
fn usable() -> Result<(), String> {
    require_root("cargo xtask vm")?;
    install_tools()?;
    sh("qemu-system-x86_64", &["--version"])
}

/// The suites `--only` names, in their usual order; all without it.
fn chosen(only: Option<&[String]>) -> Result<Vec<&'static Suite>, String> {
    let Some(names) = only else {
        return Ok(SUITES.iter().collect());
    };
    if let Some(unknown) = names.iter().find(|n| !SUITES.iter().any(|s| s.name == *n)) {
        return Err(format!("no suite named {unknown}; {USAGE}"));
    }
    Ok(SUITES
        .iter()
        .filter(|s| names.iter().any(|n| n == s.name))
        .collect())
}

/// The image, built when its key is not in the cache.
fn image() -> Result<(Image, String), String> {
    let recipe = Recipe::debian12();
    let (image, how) =
        Image::obtain(&recipe, Path::new(aio_vm::CACHE)).map_err(|e| e.to_string())?;
    let size = image.size_on_disk().map_err(|e| e.to_string())?;
    let how = match how {
        Obtained::Built(took) => format!("built in {:.1} s", took.as_secs_f64()),
        Obtained::Cached => "found in the cache".into(),
    };
    Ok((
        image.clone(),
        format!(
            "{} {how}, {:.0} MB in {}",
            image.key,
            size as f64 / 1_000_000.0,
            image.dir.display()
        ),
    ))
}

/// QEMU from bookworm-backports when it is missing: the plain
/// `qemu-system-x86` conflicts with the backports `qemu-utils` these
/// machines have. mmdebstrap from Debian's archive.
fn install_tools() -> Result<(), String> {
    if !on_path("mmdebstrap") {
        sh(
            "apt-get",
            &["install", "-y", "--no-install-recommends", "mmdebstrap"],
        )?;
    }
    if !on_path("qemu-system-x86_64") {
        let backports = Path::new("/etc/apt/sources.list.d/bookworm-backports.sources");
        if !backports.exists() {
            std::fs::write(
                backports,
                "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
            )
            .map_err(|e| format!("{}: {e}", backports.display()))?;
            sh("apt-get", &["update"])?;
        }
        sh(
            "apt-get",
            &[
                "install",
                "-y",
                "--no-install-recommends",
                "-t",
                "bookworm-backports",
                "qemu-system-x86",
            ],
        )?;
    }
    Ok(())
}

/// The newest `aio_*.deb` where `cargo xtask dist` puts it, made by it
/// when there is none.
fn package() -> Result<PathBuf, String> {
    let dist = crate::dist::dist_dir();
    if newest_deb(&dist).is_none() {
        crate::dist::run(&[])?;
    }
    newest_deb(&dist).ok_or_else(|| format!("no aio_*.deb in {}", dist.display()))
}

fn newest_deb(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("aio_"))
                && path.extension().is_some_and(|e| e == "deb")
        })
        .max_by_key(|path| std::fs::metadata(path).and_then(|m| m.modified()).ok())
}

/// Where the logs of a failed run are kept (the run's directory goes).
const FAILED_LOGS: &str = "target/vm-logs";

/// The end of each VM's serial console and QEMU log, without the escape
/// sequences and the progress lines systemd draws, to say why a proof
/// failed; the whole logs are copied to [`FAILED_LOGS`].
fn show_consoles(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let kept = crate::shell::root().join(FAILED_LOGS);
    let _ = std::fs::create_dir_all(&kept);
    for path in entries.filter_map(Result::ok).map(|e| e.path()) {
        if !path.to_string_lossy().ends_with(".log") {
            continue;
        }
        let raw = std::fs::read(&path).unwrap_or_default();
        if let Some(name) = path.file_name() {
            let _ = std::fs::write(kept.join(name), &raw);
        }
        let text = readable(&String::from_utf8_lossy(&raw));
        let tail: Vec<&str> = text.lines().rev().take(40).collect();
        eprintln!(
            "--- last lines of {} (whole in {}) ---",
            path.display(),
            kept.display()
        );
        for line in tail.iter().rev() {
            eprintln!("{line}");
        }
    }
}

/// Console text without ANSI escapes, carriage-return redraws and
/// systemd's "A start job is running" spinner lines.
fn readable(console: &str) -> String {
    let mut out = String::new();
    let mut chars = console.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte.
            if chars.peek() == Some(&'[') {
                chars.next();
                while let Some(&p) = chars.peek() {
                    chars.next();
                    if p.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(if c == '\r' { '\n' } else { c });
    }
    out.lines()
        .map(str::trim_end)
        .filter(|line| !line.is_empty() && !line.contains(" running ("))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_console_is_shown_without_escapes_or_spinners() {
        let console = "\u{1b}[0;32m  OK  \u{1b}[0m] Started ssh.service\r\n\
            \u{1b}[K[\u{1b}[0;31m*     \u{1b}[0m] (1 of 2) Job systemd-networkd-wait-online.service/start running (2min 19s / no limit)\r\n\
            [  183.2] openvswitch: Open vSwitch switching datapath\n";
        assert_eq!(
            readable(console),
            "  OK  ] Started ssh.service\n[  183.2] openvswitch: Open vSwitch switching datapath\n"
        );
    }
}
