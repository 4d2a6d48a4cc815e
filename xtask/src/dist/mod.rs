//! `cargo xtask dist`: `target/dist/aio_VERSION_ARCH.deb`, a Debian package
//! made with `dpkg-deb`: the binary, man pages, bash/zsh/fish completions,
//! the systemd unit (installed, not enabled or started), the JSON Schemas
//! under /usr/share/aio, the example topology, copyright and changelog.
//! `lintian` checks it when installed; an error fails the task.
//!
//! `--check` (run by `cargo xtask ci`) packs the test build instead of a
//! release build, then installs the package with dpkg, checks it as an
//! operator would (see [`check`]) and purges it.

mod check;
mod output;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::ValueEnum;
use output::output_of;

use crate::shell::{root, sh};

/// yaml-rust2, a pure-Rust port of libyaml, keeps libyaml's messages,
/// which lintian takes for an embedded copy of the C library.
const LINTIAN_OVERRIDES: &str = "# yaml-rust2 is a Rust port of libyaml with the same messages, not a copy of the C library.\naio: embedded-library libyaml [usr/bin/aio]\n";
/// Where the packaged unit reads its topology.
const TOPOLOGY: &str = "/etc/aio/topology.toml";

/// The JSON Schemas `aio schema` prints, one for each kind it names: their
/// file names in `docs/`.
fn schemas() -> Vec<String> {
    aio::cli::SchemaKind::value_variants()
        .iter()
        .filter_map(|kind| kind.to_possible_value())
        .map(|kind| format!("{}.schema.json", kind.get_name()))
        .collect()
}

/// Where `cargo xtask dist` puts the package.
pub fn dist_dir() -> PathBuf {
    root().join("target/dist")
}

pub fn run(args: &[String]) -> Result<(), String> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => return Err("usage: cargo xtask dist [--check]".into()),
    };
    let profile = if check { "debug" } else { "release" };
    if check {
        crate::shell::require_root("cargo xtask dist --check")?;
        sh("cargo", &["build", "--package", "aio"])?;
    } else {
        sh("cargo", &["build", "--release", "--package", "aio"])?;
    }
    let version = env!("CARGO_PKG_VERSION");
    let arch = output_of("dpkg", &["--print-architecture"])?
        .trim()
        .to_string();
    let dist = dist_dir();
    let stage = dist.join(format!("aio_{version}_{arch}"));
    let _ = std::fs::remove_dir_all(&stage);
    let binary = crate::shell::built_aio(profile);
    let bin = put(
        &stage,
        "usr/bin/aio",
        &std::fs::read(&binary).map_err(|e| e.to_string())?,
        0o755,
    )?;
    sh(
        "strip",
        &[
            "--strip-unneeded",
            "--remove-section=.comment",
            "--remove-section=.note",
            bin.to_str().unwrap_or_default(),
        ],
    )?;
    for page in crate::man::man()? {
        let name = page
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let section = name.rsplit('.').next().unwrap_or("1");
        let text = std::fs::read(&page).map_err(|e| e.to_string())?;
        put(
            &stage,
            &format!("usr/share/man/man{section}/{name}.gz"),
            &gzip(&text)?,
            0o644,
        )?;
    }
    for (shell, path) in [
        ("bash", "usr/share/bash-completion/completions/aio"),
        ("zsh", "usr/share/zsh/vendor-completions/_aio"),
        ("fish", "usr/share/fish/vendor_completions.d/aio.fish"),
    ] {
        let text = output_of(binary.to_str().unwrap_or_default(), &["completions", shell])?;
        put(&stage, path, text.as_bytes(), 0o644)?;
    }
    let unit = aio::commands::packaged_unit(Path::new("/usr/bin/aio"), Path::new(TOPOLOGY))
        .map_err(|e| e.to_string())?;
    put(
        &stage,
        "usr/lib/systemd/system/aio.service",
        unit.as_bytes(),
        0o644,
    )?;
    for schema in schemas() {
        let text = std::fs::read(root().join("docs").join(&schema)).map_err(|e| e.to_string())?;
        put(&stage, &format!("usr/share/aio/{schema}"), &text, 0o644)?;
    }
    let example = std::fs::read_to_string(root().join("examples/openstack-aio.toml"))
        .map_err(|e| e.to_string())?;
    put(
        &stage,
        "usr/share/doc/aio/examples/openstack-aio.toml",
        installed_example(&example).as_bytes(),
        0o644,
    )?;
    put(
        &stage,
        "usr/share/doc/aio/copyright",
        copyright().as_bytes(),
        0o644,
    )?;
    // A native package: its changelog is changelog.gz.
    let changes = gzip(changelog(version).as_bytes())?;
    put(&stage, "usr/share/doc/aio/changelog.gz", &changes, 0o644)?;
    put(
        &stage,
        "usr/share/lintian/overrides/aio",
        LINTIAN_OVERRIDES.as_bytes(),
        0o644,
    )?;
    let size_kib = du(&stage)?;
    put(&stage, "DEBIAN/md5sums", md5sums(&stage)?.as_bytes(), 0o644)?;
    put(
        &stage,
        "DEBIAN/control",
        control(version, &arch, size_kib).as_bytes(),
        0o644,
    )?;
    let deb = dist.join(format!("aio_{version}_{arch}.deb"));
    sh(
        "dpkg-deb",
        &[
            "--root-owner-group",
            "--build",
            stage.to_str().unwrap_or_default(),
            deb.to_str().unwrap_or_default(),
        ],
    )?;
    println!("built {}", deb.display());
    lintian(&deb)?;
    if check {
        check::installed(&deb)?;
    }
    Ok(())
}

/// The example as installed: its `#:schema` line names the installed
/// schema, so that it still works once copied anywhere.
fn installed_example(text: &str) -> String {
    let rest = text
        .strip_prefix("#:schema ")
        .and_then(|t| t.split_once('\n'))
        .map_or(text, |(_, rest)| rest);
    format!("#:schema {}\n{rest}", check::SCHEMA)
}

/// `lintian` on the package, when installed: its errors fail the task.
fn lintian(deb: &Path) -> Result<(), String> {
    if aio_child::find_program("lintian").is_none() {
        println!("lintian is not installed: the package was not checked");
        return Ok(());
    }
    let out = Command::new("lintian")
        .arg(deb)
        .output()
        .map_err(|e| format!("lintian: {e}"))?;
    let said = String::from_utf8_lossy(&out.stdout);
    print!("{said}");
    if said.trim().is_empty() {
        println!("lintian: no errors, no warnings");
    }
    let errors = said.lines().filter(|l| l.starts_with("E:")).count();
    match errors {
        0 => Ok(()),
        n => Err(format!("lintian found {n} error(s)")),
    }
}

/// Writes `data` at `path` below `stage`, with `mode`; directories 0755.
fn put(stage: &Path, path: &str, data: &[u8], mode: u32) -> Result<PathBuf, String> {
    let file = stage.join(path);
    let io = |e: std::io::Error| format!("{}: {e}", file.display());
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
        let mut dir = parent;
        while dir != stage {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).map_err(io)?;
            dir = dir.parent().unwrap_or(stage);
        }
    }
    std::fs::write(&file, data).map_err(io)?;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).map_err(io)?;
    Ok(file)
}

fn gzip(data: &[u8]) -> Result<Vec<u8>, String> {
    use std::io::Write;
    let mut child = Command::new("gzip")
        .args(["-9n", "-c"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("gzip: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("gzip: no stdin")?
        .write_all(data)
        .map_err(|e| format!("gzip: {e}"))?;
    let out = child.wait_with_output().map_err(|e| format!("gzip: {e}"))?;
    Ok(out.stdout)
}

/// `DEBIAN/md5sums`: every file's digest, as dpkg --verify reads it.
fn md5sums(stage: &Path) -> Result<String, String> {
    let out = Command::new("sh")
        .arg("-c")
        .arg("find usr -type f | LC_ALL=C sort | xargs md5sum")
        .current_dir(stage)
        .output()
        .map_err(|e| format!("md5sum: {e}"))?;
    if !out.status.success() {
        return Err(format!("md5sum failed ({})", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The installed size in KiB, as `Installed-Size` counts it.
fn du(stage: &Path) -> Result<u64, String> {
    let text = output_of("du", &["-sk", stage.to_str().unwrap_or_default()])?;
    text.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("du printed {text}"))
}

fn control(version: &str, arch: &str, size_kib: u64) -> String {
    format!(
        "Package: aio
Version: {version}
Architecture: {arch}
Maintainer: aio developers <dev@aio-project.org>
Installed-Size: {size_kib}
Depends: libc6 (>= 2.34), iproute2, nftables
Recommends: openvswitch-common
Section: admin
Priority: optional
Homepage: https://aio.invalid/
Description: declarative host plumbing for an all-in-one OpenStack
 aio makes the host side of an all-in-one OpenStack (Kolla-Ansible with
 OVN) declarative: a topology.toml describes Linux bridges, veth pairs,
 addresses, NAT, sysctls, Open vSwitch ports with VLAN tags and the Kolla
 deployment. aio plan shows the difference with the live system, aio apply
 changes only what is missing, and aio watch repairs drift.
"
    )
}

fn copyright() -> String {
    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: aio
Source: https://aio.invalid/

Files: *
Copyright: 2026 aio developers
License: Apache-2.0
 On Debian systems, the full text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0.
"
    .to_string()
}

fn changelog(version: &str) -> String {
    format!(
        "aio ({version}) unstable; urgency=medium

  * Package built by cargo xtask dist.

 -- aio developers <dev@aio-project.org>  Tue, 01 Dec 2026 00:00:00 +0000
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_holds_every_schema_in_docs_and_each_one_aio_schema_prints() {
        let mut in_docs: Vec<String> = std::fs::read_dir(root().join("docs"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".schema.json"))
            .collect();
        in_docs.sort();
        let mut packaged = schemas();
        packaged.sort();
        assert_eq!(packaged, in_docs);
    }
}
