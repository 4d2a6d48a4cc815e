//! The Open vSwitch provider: `[ovs]` through OVSDB (RFC 7047), no
//! `ovs-vsctl`, no `docker exec`.
//!
//! - `ovs-bridge/NAME`: a bridge aio creates (not one `provided_by` another
//!   resource), with its local internal port, and `datapath_type`/`fail_mode`
//!   when the file sets them;
//! - `ovs-port/BRIDGE/NAME`: a port with one interface of the same name:
//!   `bridge`, `tag`, `trunks` and the interface `type`, all managed.
//!
//! Rows aio creates carry `external_ids:aio-owner=aio`; aio deletes only rows
//! that carry it, never Neutron's or Kolla's. Every change of one apply goes
//! into one OVSDB transaction, guarded by `wait` operations on what the plan
//! observed: if anything changed in between, the transaction fails whole and
//! nothing is clobbered.

mod monitor;
mod provider;
mod resources;
mod snapshot;
mod transaction;

pub use monitor::changes;
pub use provider::OvsProvider;
pub use resources::{PROVIDER, resources};

/// The `external_ids` key marking rows aio created.
pub const OWNER_KEY: &str = "aio-owner";
pub const OWNER: &str = "aio";
