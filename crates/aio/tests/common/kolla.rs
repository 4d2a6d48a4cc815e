//! Kolla-Ansible in tests: the stand-in for the actions that need Docker
//! (`tests/stand-in/kolla-ansible-stand-in`), what it recorded, and the
//! skip where `cargo xtask ci` could not make the kolla-ansible venv.

use std::path::Path;

pub const STAND_IN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/stand-in/kolla-ansible-stand-in"
);

/// Whether a test that needs the kolla-ansible venv is to be skipped (said
/// on stderr): only when `cargo xtask ci` could not reach PyPI for it.
pub fn no_venv() -> bool {
    if let Ok(why) = std::env::var("AIO_TEST_NO_KOLLA_VENV") {
        eprintln!("skipped: no kolla-ansible venv ({why})");
        return true;
    }
    false
}

/// The actions the stand-in recorded in `record`, in order.
pub fn ran(record: &Path) -> Vec<String> {
    std::fs::read_to_string(record)
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect()
}
