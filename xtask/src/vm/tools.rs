//! What the suites need on the machine that runs them: QEMU and
//! mmdebstrap, the VM image, and aio's Debian package.

use std::path::{Path, PathBuf};

use aio_vm::{Image, Obtained, Recipe};

use crate::shell::{on_path, require_root, sh};

/// QEMU and mmdebstrap are installed and QEMU starts: without them no VM
/// can run at all.
pub fn usable() -> Result<(), String> {
    require_root("cargo xtask vm")?;
    install()?;
    for program in ["qemu-system-x86_64", "qemu-img", "mmdebstrap"] {
        if !on_path(program) {
            return Err(format!("{program} is not installed"));
        }
    }
    sh("qemu-system-x86_64", &["--version"])
}

/// QEMU (with `qemu-img`, only a recommendation of it) from
/// bookworm-backports when it is missing: the plain `qemu-system-x86`
/// conflicts with the backports `qemu-utils` these machines may have.
/// mmdebstrap from Debian's archive.
fn install() -> Result<(), String> {
    let missing_qemu = !on_path("qemu-system-x86_64") || !on_path("qemu-img");
    if on_path("mmdebstrap") && !missing_qemu {
        return Ok(());
    }
    let backports = Path::new("/etc/apt/sources.list.d/bookworm-backports.sources");
    if missing_qemu && !backports.exists() {
        std::fs::write(
            backports,
            "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
        )
        .map_err(|e| format!("{}: {e}", backports.display()))?;
    }
    sh("apt-get", &["update", "-q"])?;
    if !on_path("mmdebstrap") {
        apt_install(&["mmdebstrap"])?;
    }
    if missing_qemu {
        apt_install(&["-t", "bookworm-backports", "qemu-system-x86", "qemu-utils"])?;
    }
    Ok(())
}

fn apt_install(what: &[&str]) -> Result<(), String> {
    let mut args = vec![
        "-o",
        "Dpkg::Options::=--force-confold",
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
    ];
    args.extend_from_slice(what);
    println!(
        "$ DEBIAN_FRONTEND=noninteractive apt-get {}",
        args.join(" ")
    );
    let status = std::process::Command::new("apt-get")
        .args(&args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .map_err(|e| format!("apt-get: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "apt-get install {} failed ({status})",
            what.join(" ")
        ))
    }
}

/// The image, built when its key is not in the cache, and a line saying so.
pub fn image() -> Result<(Image, String), String> {
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

/// The package `cargo xtask dist` makes now from this checkout, so that
/// what the VMs prove is the code as it is.
pub fn fresh_package() -> Result<PathBuf, String> {
    crate::dist::run(&[])?;
    dist_package()
}

/// The `aio_*.deb` `cargo xtask dist` made last.
pub fn dist_package() -> Result<PathBuf, String> {
    let dir = crate::dist::dist_dir();
    newest_deb(&dir).ok_or_else(|| format!("no aio_*.deb in {}", dir.display()))
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
