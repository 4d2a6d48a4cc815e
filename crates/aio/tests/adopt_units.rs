//! `aio adopt` and the old installer's boot units, with the real binary: a
//! temporary root laid out as the seed's installer leaves a host (its own
//! unit files and scripts, read from the seed at run time, enabled as
//! `systemctl enable` does) beside an operator's units that only look like
//! them. Only the installer's are disabled, nothing outside the root is
//! touched, and a rehearsal in a namespace leaves the host's units alone
//! unless `--root` says where to look.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Output;

use aio_sandbox::seed::{UNIT_DIR, enable, installer_units, upstream, write};
use common::{Sandbox, said, topology};

/// What a root holds: the links that enable each unit.
struct Laid {
    installer: Vec<PathBuf>,
    /// An operator's VPN masquerade, and a unit that does some of aio's
    /// work and more: neither is the installer's.
    operators: Vec<PathBuf>,
}

/// `root` as the seed's installer leaves a host (its `cp` and `systemctl
/// enable`), with an operator's two units beside.
fn as_the_seed_leaves_it(seed: &Path, root: &Path) -> Laid {
    let installer = installer_units(seed, root).to_vec();
    let mut operators = Vec::new();
    for (name, script) in [
        (
            "vpn-nat",
            "#!/bin/sh\niptables -t nat -A POSTROUTING -s 10.8.0.0/24 -o tun0 -j MASQUERADE\n",
        ),
        (
            "lab-bridge",
            "#!/bin/sh\nip link set dummy1 up\nip link add extra0 type dummy\n",
        ),
    ] {
        write(root, &format!("usr/local/bin/{name}.sh"), script);
        write(
            root,
            &format!("{UNIT_DIR}/{name}.service"),
            &format!(
                "[Service]\nExecStart=/usr/local/bin/{name}.sh\n[Install]\nWantedBy=multi-user.target\n"
            ),
        );
        operators.push(enable(
            root,
            &format!("{name}.service"),
            "multi-user.target",
        ));
    }
    Laid {
        installer,
        operators,
    }
}

fn enabled(link: &Path) -> bool {
    link.symlink_metadata().is_ok()
}

fn succeeded(out: &Output) -> String {
    let shown = said(out);
    assert!(out.status.success(), "{shown}");
    shown
}

#[test]
fn adopt_disables_the_installers_units_under_root_and_nothing_else() {
    let Some(seed) = upstream() else { return };
    let sb = Sandbox::new();
    let t = sb.topology("seed.toml", &topology::seed_network());
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let laid = as_the_seed_leaves_it(&seed, &root);
    // A `*.wants` directory that leads out of the root, to a link of the
    // installer's name.
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let decoy = outside.join("setup-interfaces.service");
    symlink("/etc/systemd/system/setup-interfaces.service", &decoy).unwrap();
    symlink(&outside, root.join(UNIT_DIR).join("graphical.target.wants")).unwrap();
    let root_arg = root.to_str().unwrap();

    let shown = succeeded(&sb.aio("adopt", &t, &["--yes", "--root", root_arg]));
    for name in ["setup-interfaces.service", "veth-lbaas.service"] {
        assert!(
            shown.contains(&format!("boot unit {name} (to disable)")),
            "{shown}"
        );
    }
    assert!(shown.contains("2 boot unit(s) disabled"), "{shown}");
    assert!(!shown.contains("vpn-nat"), "{shown}");
    assert!(
        shown.contains("boot unit lab-bridge.service is left alone")
            && shown.contains("lab-bridge.sh:3: `ip link add extra0 type dummy`"),
        "{shown}"
    );
    for link in &laid.installer {
        assert!(!enabled(link), "{} still enables its unit", link.display());
    }
    for link in &laid.operators {
        assert!(enabled(link), "{} was disabled", link.display());
    }
    assert!(enabled(&decoy), "a link outside the root was removed");
    assert!(
        root.join(UNIT_DIR)
            .join("setup-interfaces.service")
            .is_file()
    );

    let again = succeeded(&sb.aio("adopt", &t, &["--yes", "--root", root_arg]));
    assert!(
        again.contains("boot unit setup-interfaces.service (already disabled)"),
        "{again}"
    );
    assert!(again.contains("Nothing to adopt."), "{again}");
}

/// `aio adopt` in a private mount namespace in which the host's
/// `/etc/systemd/system` and `/usr/local/bin` are `root`'s: the host's own
/// are never touched.
fn adopt_in_a_private_mount(sb: &Sandbox, t: &Path, root: &Path, extra: &[&str]) -> Output {
    let aio = env!("CARGO_BIN_EXE_aio");
    let mut command = std::process::Command::new("unshare");
    command
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg(
            "mount --bind \"$1/etc/systemd/system\" /etc/systemd/system && \
             mount --bind \"$1/usr/local/bin\" /usr/local/bin && \
             shift && exec \"$@\"",
        )
        .arg("sh")
        .arg(root)
        .args([aio, "adopt", "--yes", "-f"])
        .arg(t)
        .args(["--netns", &sb.ns, "--state-dir"])
        .arg(sb.state.path())
        .args(extra)
        .env_remove("RUST_LOG");
    command.output().unwrap()
}

#[test]
fn adopt_in_a_namespace_looks_for_units_only_under_an_explicit_root() {
    let Some(seed) = upstream() else { return };
    if !Path::new("/etc/systemd/system").is_dir() || !Path::new("/usr/local/bin").is_dir() {
        eprintln!("skipped: no /etc/systemd/system or /usr/local/bin to mount over");
        return;
    }
    let sb = Sandbox::new();
    let t = sb.topology("seed.toml", &topology::seed_network());
    let tmp = tempfile::tempdir().unwrap();
    let laid = as_the_seed_leaves_it(&seed, tmp.path());

    // The host's units, as this namespace sees them, are the seed's.
    let shown = succeeded(&adopt_in_a_private_mount(&sb, &t, tmp.path(), &[]));
    assert!(
        shown.contains("boot units are left alone: with --netns"),
        "{shown}"
    );
    assert!(!shown.contains("(to disable)"), "{shown}");
    for link in &laid.installer {
        assert!(enabled(link), "{} was disabled", link.display());
    }

    // Named explicitly, the same root's units are the installer's.
    let shown = succeeded(&adopt_in_a_private_mount(
        &sb,
        &t,
        tmp.path(),
        &["--root", "/"],
    ));
    assert!(shown.contains("2 boot unit(s) disabled"), "{shown}");
    for link in &laid.installer {
        assert!(!enabled(link), "{} still enables its unit", link.display());
    }
}
