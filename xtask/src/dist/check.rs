//! The package checked as an operator meets it: installed with `dpkg -i`,
//! then its unit through `systemd-analyze verify`, its man pages through
//! `man`, the binary's version, completions and schemas where they belong,
//! the example copied elsewhere and validated (by aio and, when installed,
//! by Taplo against the installed schema), and `aio service install`
//! finding the packaged unit. The package is purged afterwards, whatever
//! happened, and nothing of it may be left.

use std::path::Path;
use std::process::Command;

use super::output::output_of;
use crate::shell::sh;

/// Where the package installs the topology schema, which its example names.
pub(super) const SCHEMA: &str = "/usr/share/aio/topology.schema.json";
const BINARY: &str = "/usr/bin/aio";
const UNIT: &str = "/usr/lib/systemd/system/aio.service";
const EXAMPLE: &str = "/usr/share/doc/aio/examples/openstack-aio.toml";

pub fn installed(deb: &Path) -> Result<(), String> {
    if Path::new(BINARY).exists() {
        return Err(format!(
            "{BINARY} exists: the check installs and purges the package, so it runs only where aio is not installed"
        ));
    }
    sh("dpkg", &["-i", deb.to_str().unwrap_or_default()])?;
    let checked = checks();
    let purged = sh("dpkg", &["--purge", "aio"]);
    checked?;
    purged?;
    for left in [BINARY, UNIT, "/usr/share/aio", "/usr/share/doc/aio"] {
        if Path::new(left).exists() {
            return Err(format!("{left} is left after dpkg --purge aio"));
        }
    }
    println!("the package installs, checks and purges cleanly");
    Ok(())
}

fn checks() -> Result<(), String> {
    // Its Documentation=man:aio(1) is looked up too.
    let verify = Command::new("systemd-analyze")
        .args(["verify", UNIT])
        .output()
        .map_err(|e| format!("systemd-analyze: {e}"))?;
    let said = String::from_utf8_lossy(&verify.stderr).into_owned();
    if !verify.status.success() || said.contains("aio.service") {
        return Err(format!("systemd-analyze verify {UNIT}: {said}"));
    }
    println!("systemd-analyze verify {UNIT}: no complaint");
    for (page, sections) in [
        (
            "aio",
            &["EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES"][..],
        ),
        ("aio-topology", &["DESCRIPTION"][..]),
    ] {
        let text = output_of("man", &["-P", "cat", page])?;
        for section in sections {
            if !text.lines().any(|l| l.trim() == *section) {
                return Err(format!("man {page} has no {section}"));
            }
        }
    }
    println!("man aio and man aio-topology: sections present");
    let version = output_of(BINARY, &["--version"])?;
    if !version.contains("commit") {
        return Err(format!("aio --version names no commit: {version}"));
    }
    for file in [
        "/usr/share/bash-completion/completions/aio",
        "/usr/share/zsh/vendor-completions/_aio",
        "/usr/share/fish/vendor_completions.d/aio.fish",
        "/usr/share/aio/topology.schema.json",
        "/usr/share/doc/aio/copyright",
        "/usr/share/doc/aio/changelog.gz",
    ] {
        if !Path::new(file).is_file() {
            return Err(format!("{file} is not installed"));
        }
    }
    let schema = std::fs::read_to_string(SCHEMA).map_err(|e| e.to_string())?;
    if output_of(BINARY, &["schema", "topology"])?.trim_end() != schema.trim_end() {
        return Err("aio schema topology differs from the installed schema".into());
    }
    example()
}

/// The example, copied as an operator copies it, validates; Taplo finds
/// its schema; `aio service install` would point the packaged unit at it.
fn example() -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let copy = dir.path().join("topology.toml");
    std::fs::copy(EXAMPLE, &copy).map_err(|e| format!("{EXAMPLE}: {e}"))?;
    let copy = copy.to_str().unwrap_or_default();
    output_of(BINARY, &["validate", "-f", copy])?;
    if Path::new(aio_sandbox::TAPLO).exists() {
        output_of(aio_sandbox::TAPLO, &["check", "--no-auto-config", copy])?;
        println!(
            "taplo check of the copied example: valid against {}",
            SCHEMA
        );
    } else {
        println!("taplo is not installed: the copied example was checked by aio only");
    }
    let service = output_of(
        BINARY,
        &[
            "service",
            "install",
            "-f",
            copy,
            "--dry-run",
            "--no-systemctl",
        ],
    )?;
    if !service.contains("installed by the package") {
        return Err(format!(
            "aio service install did not find the packaged unit:\n{service}"
        ));
    }
    Ok(())
}
