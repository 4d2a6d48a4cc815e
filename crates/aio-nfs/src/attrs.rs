//! The NFS family's resources as the engine sees them.

use serde_json::json;

use aio_engine::{Attrs, Kind, ResourceId};
use aio_family::ids;

use crate::spec::Export;
use crate::system::{Database, Found, System};

/// An exported directory: `nfs-dir/PATH`. Never deleted by aio: it holds
/// the volumes.
pub const DIR: Kind = Kind::new("nfs-dir");
/// An export, one line of aio's drop-in: `nfs-export/PATH`.
pub use ids::NFS_EXPORT as EXPORT;
/// A line of `/etc/exports` another tool wrote for a path aio exports:
/// `exports-line//etc/exports:LINE`.
pub const EXPORTS_LINE: Kind = Kind::new("exports-line");

pub fn dir_id(path: &str) -> ResourceId {
    ResourceId::new(&DIR, path)
}

pub fn export_id(path: &str) -> ResourceId {
    ids::nfs_export(path)
}

pub fn dir_wanted(e: &Export) -> Attrs {
    attrs(json!({
        "kind": "directory",
        "owner": e.owner,
        "group": e.group,
        "mode": format!("{:04o}", e.mode),
    }))
}

/// What is at the path, in the form `wanted` writes owners (names or numbers).
pub fn dir_found(found: Found, wanted: &Export, system: &System) -> Attrs {
    match found {
        Found::Directory { uid, gid, mode } => attrs(json!({
            "kind": "directory",
            "owner": system.shown_as(uid, &wanted.owner, Database::Users),
            "group": system.shown_as(gid, &wanted.group, Database::Groups),
            "mode": format!("{mode:04o}"),
        })),
        Found::Other(kind) => attrs(json!({ "kind": kind })),
    }
}

pub fn export_wanted(e: &Export) -> Attrs {
    attrs(json!({ "line": e.line, "exported": true }))
}

pub fn export_found(line: &str, exported: bool) -> Attrs {
    attrs(json!({ "line": line, "exported": exported }))
}

fn attrs(v: serde_json::Value) -> Attrs {
    Attrs::from_value(v).unwrap_or_default()
}
