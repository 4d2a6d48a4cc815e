//! The old installer's boot units as it leaves a host: its own unit files
//! and scripts, read from the seed (`AIO_SEED_DIR`, by default
//! `/work/shared/seed/upstream`) at run time and copied where its
//! `install.sh` puts them under a temporary root, enabled as `systemctl
//! enable` does.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

/// Where units are installed and enabled, under a root.
pub const UNIT_DIR: &str = "etc/systemd/system";

/// The seed's `upstream/` directory, or `None` (said on stderr) where the
/// seed is not at hand.
pub fn upstream() -> Option<PathBuf> {
    let dir = std::env::var_os("AIO_SEED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/seed/upstream"));
    if dir.join("scripts_setup-interfaces.sh").is_file() {
        Some(dir)
    } else {
        eprintln!("no seed scripts in {}: boot units skipped", dir.display());
        None
    }
}

/// Writes `text` to `root/path`, making its directories.
pub fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path.trim_start_matches('/'));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Unit `name` enabled by `TARGET.wants` as `systemctl enable` links it:
/// the link.
pub fn enable(root: &Path, name: &str, target: &str) -> PathBuf {
    let dir = root.join(UNIT_DIR).join(format!("{target}.wants"));
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join(name);
    symlink(format!("/{UNIT_DIR}/{name}"), &link).unwrap();
    link
}

/// The seed's two units and scripts under `root`, enabled: the links.
pub fn installer_units(upstream: &Path, root: &Path) -> [PathBuf; 2] {
    let read = |file: String| std::fs::read_to_string(upstream.join(file)).unwrap();
    [
        ("setup-interfaces", "multi-user.target"),
        ("veth-lbaas", "default.target"),
    ]
    .map(|(name, target)| {
        write(
            root,
            &format!("usr/local/bin/{name}.sh"),
            &read(format!("scripts_{name}.sh")),
        );
        write(
            root,
            &format!("{UNIT_DIR}/{name}.service"),
            &read(format!("scripts_{name}.service")),
        );
        enable(root, &format!("{name}.service"), target)
    })
}
