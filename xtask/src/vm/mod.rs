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

mod proofs;
mod report;
mod topology;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use aio_vm::{Image, Lab, Obtained, Recipe, SshKey, Vm, VmSpec};

use crate::shell::{on_path, require_root, sh};
use report::Report;

pub fn run(args: &[String]) -> Result<(), String> {
    let deb = match args {
        [] => None,
        [flag, file] if flag == "--deb" => Some(PathBuf::from(file)),
        _ => return Err("usage: cargo xtask vm [--deb FILE]".into()),
    };
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
    let run = tempfile::Builder::new()
        .prefix("aio-vm-run.")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let outcome = boot_and_prove(&image, run.path(), &deb, &mut report);
    if let Err(why) = &outcome {
        show_console(run.path());
        return Err(why.clone());
    }
    report.finish();
    Ok(())
}

/// One VM through every proof. The VM is dropped (its QEMU killed) before
/// the lab (the namespace deleted), both before the run's directory goes.
fn boot_and_prove(
    image: &Image,
    dir: &Path,
    deb: &Path,
    report: &mut Report,
) -> Result<(), String> {
    let lab = Lab::create().map_err(|e| e.to_string())?;
    let key = SshKey::generate(dir).map_err(|e| e.to_string())?;
    let mut vm = Vm::boot(image, &lab, &key, dir, &VmSpec::new(0)).map_err(|e| e.to_string())?;
    println!(
        "booting {} (qemu pid {}, TCG) in namespace {}",
        vm.overlay().display(),
        vm.pid(),
        lab.name()
    );
    proofs::all(&mut vm, deb, report)
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

/// The end of each VM's serial console, to say why a proof failed.
fn show_console(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.filter_map(Result::ok).map(|e| e.path()) {
        if path.to_string_lossy().ends_with(".log") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(25).collect();
            eprintln!("--- last lines of {} ---", path.display());
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}
