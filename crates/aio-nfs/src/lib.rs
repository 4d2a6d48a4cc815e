//! NFS exports as resources: the seed's storage row, done so that re-runs
//! neither grow a file nor open the export to every host.
//!
//! For each `[nfs.exports."PATH"]` the `nfs` family keeps two resources:
//! the directory (`nfs-dir/PATH`: made if missing, its owner, group and
//! mode kept; never deleted, as it holds Cinder's volumes) and the export
//! (`nfs-export/PATH`: one line of aio's own drop-in,
//! `/etc/exports.d/aio.exports`, which exportfs reads beside
//! `/etc/exports`). An apply that changes an export rewrites the drop-in
//! whole and runs `exportfs -ra` once. Drift is what exportfs would not
//! serve as declared: the drop-in's line edited or gone, or the path no
//! longer in the kernel's export table (`exportfs -u` by hand, read from
//! `/var/lib/nfs/etab`). The NFS server must run: without nfsd threads
//! the exports cannot be planned, and the plan says how to start it.
//!
//! `/etc/exports` stays the operator's: aio reads it for lines exporting
//! a path it exports (the seed's `tee -a`, duplicates included), which
//! `aio adopt` moves into the drop-in, taking those lines out in the same
//! step and keeping every other byte. In a rehearsal (`--netns`) the
//! family leaves its exports out, with a note: they are the host's.

mod attrs;
mod exports;
mod family;
mod provider;
pub mod spec;
mod system;

use aio_engine::ProviderName;

pub use attrs::{DIR, EXPORT, EXPORTS_LINE, dir_id, export_id};
pub use exports::{DROP_IN, ETC_EXPORTS};
pub use family::Nfs;
pub use system::System;

/// The provider name of the NFS family's resources.
pub const PROVIDER: ProviderName = ProviderName::new("nfs");
