//! `cargo xtask vm`: aio in real Debian 12 VMs under QEMU (KVM where a
//! real one boots the image's kernel, else TCG). Builds or restores the
//! cached image (see `aio_vm`), then runs each suite ([`SUITES`]) with VMs
//! of its own in a network namespace of its own: the package installed
//! with `apt-get`, `aio.service` through real reboots, drift repaired, a
//! seed-built host adopted, Cinder's NFS share served and adopted, three
//! hosts converged by Ansible. Each proof is
//! a checked line with its time. Whether the proofs passed or not, a last
//! check says that no namespace, tap or QEMU of the run is left; the run's
//! directory (overlays, consoles, key) goes with it, and the logs of a
//! failed run are kept in `target/vm-logs`.
//!
//! `--deb FILE` takes that package; without it `cargo xtask dist` makes
//! one from this checkout first. `--only` runs the named suites; `--break`
//! breaks the design on purpose, to see the matching proof fail.

mod common;
mod host;
mod in_ci;
mod leftovers;
mod logs;
mod masquerade;
mod multinode;
mod nfs;
mod refusal;
mod remote;
mod report;
mod seed;
mod tools;
mod topology;

pub use in_ci::{Prepared, Suites, prepare};

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use aio_vm::{Accel, Lab, SshKey};

use crate::shell::require_root;
use common::Break;
use common::Run;
use report::Report;

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
        name: "nfs",
        what: "three VMs: Cinder's NFS share served by aio, mounted, refused, through a reboot, adopted from the seed",
        prove: nfs::prove,
    },
    Suite {
        name: "multinode",
        what: "three VMs converged by the Ansible collection over SSH",
        prove: multinode::prove,
    },
];

const USAGE: &str = "usage: cargo xtask vm [--deb FILE] [--only SUITE[,SUITE...]] [--break unit-order|nat-out] (suites: host, refusal, seed, nfs, multinode)";

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
    tools::usable()?;
    let deb = match deb {
        Some(deb) => deb,
        None => tools::fresh_package()?,
    };
    logs::clear();
    let swept = Lab::sweep_stale().map_err(|e| e.to_string())?;
    if !swept.is_empty() {
        println!(
            "deleted namespaces left by interrupted runs: {}",
            swept.join(", ")
        );
    }
    let mut report = Report::new();
    let image = report.check("the image is built or restored", tools::image)?;
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
    let mut outcome = Ok(());
    for suite in suites {
        println!("{}: {}", suite.name, suite.what);
        outcome = run
            .for_suite(suite.name)
            .and_then(|own| (suite.prove)(&own, &mut report));
        if outcome.is_err() {
            logs::show_consoles(&run.dir);
            break;
        }
    }
    // Every suite's VMs and labs were dropped when it returned.
    let left = report.check("nothing of the run is left behind", || {
        leftovers::none_left(&run.dir)
    });
    outcome?;
    left?;
    report.finish();
    Ok(())
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
