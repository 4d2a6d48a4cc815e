//! The Open vSwitch provider: `[ovs]` through OVSDB (RFC 7047), no
//! `ovs-vsctl`, no `docker exec`.
//!
//! [`Ovs`] is the family the run opens; [`id`] builds and reads its ids:
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

mod family;
pub mod id;
mod monitor;
mod provider;
mod resources;
mod snapshot;
mod transaction;

use std::time::Duration;

pub use family::{Ovs, address};
pub use monitor::{changes, follow};
pub use provider::OvsProvider;
pub use resources::{PROVIDER, resources};

/// How long aio waits to reach OVSDB and for each answer.
pub const OPTIONS: aio_ovsdb::Options = aio_ovsdb::Options {
    connect_timeout: Duration::from_secs(3),
    request_timeout: Duration::from_secs(10),
};

/// The `external_ids` key marking rows aio created.
pub const OWNER_KEY: &str = "aio-owner";
pub const OWNER: &str = "aio";
