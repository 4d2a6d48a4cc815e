//! Everything CI runs, installing first what the tests need on a fresh machine.

use std::process::Command;

use crate::{require_root, sh};

/// Debian packages the tests use: `ip` for sandboxes.
const PACKAGES: [&str; 1] = ["iproute2"];

pub fn run() -> Result<(), String> {
    require_root("cargo xtask ci")?;
    install_packages()?;
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
    sh("cargo", &["test", "--workspace"])
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

fn install_packages() -> Result<(), String> {
    let missing: Vec<&str> = PACKAGES.into_iter().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    sh("apt-get", &["update", "-q"])?;
    sh(
        "apt-get",
        &[
            &["install", "-y", "-q", "--no-install-recommends"][..],
            &missing,
        ]
        .concat(),
    )
}
