//! Finding the tools aio is measured against: a search of PATH, nmstatectl
//! installed into target/peers if missing; a note for each one not found.

use std::path::PathBuf;

use crate::shell::{on_path, root, sh};

use aio_child::find_program as find;

/// Whether OVS can be measured; if not, a note says what is missing.
pub fn ovs(notes: &mut Vec<String>) -> bool {
    let found = ["ovsdb-server", "ovsdb-tool", "ovs-vsctl"]
        .iter()
        .all(|p| on_path(p));
    if !found {
        notes.push("OVS was not measured: ovsdb-server, ovsdb-tool or ovs-vsctl is missing (package openvswitch-switch)".into());
    }
    found
}

/// nmstatectl from target/peers or PATH, installed into target/peers by
/// cargo if missing; `None` (with a note) if that fails.
pub fn nmstatectl(notes: &mut Vec<String>) -> Option<PathBuf> {
    let local = root().join("target/peers/bin/nmstatectl");
    if local.exists() {
        return Some(local);
    }
    if let Some(found) = find("nmstatectl") {
        return Some(found);
    }
    let root = root().join("target/peers").display().to_string();
    match sh(
        "cargo",
        &["install", "--quiet", "nmstatectl", "--root", &root],
    ) {
        Ok(()) if local.exists() => Some(local),
        Ok(()) => {
            notes.push(
                "nmstatectl was not measured: `cargo install nmstatectl` installed no binary"
                    .into(),
            );
            None
        }
        Err(e) => {
            notes.push(format!("nmstatectl was not measured: {e}"));
            None
        }
    }
}
