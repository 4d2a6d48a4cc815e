//! One aio run on one host, from a topology file to a converged system.
//!
//! [`Host::open`] reads the file, asks every provider family of the
//! [`registry`] for the facts of the live system it knows, once (the
//! uplink, the interfaces with a default route, the VIP), opens the
//! families and wires their providers into an engine. The registry is the
//! one place that names the provider crates: everything else goes through
//! the [`Family`](aio_family::Family) trait. The caller then asks for a [`Plan`](aio_engine::Plan) and renders
//! it, and [`Host::apply`] carries it out, with one follow-up pass for what
//! waited on something the same apply made. [`Host::run`] is the whole of
//! a run that changes the system (lock, plan, the caller's confirmation,
//! apply, follow-up); [`saved`] plans are written, read and verified here,
//! and [`owned`] lists and releases what aio owns. [`watch`] keeps the system
//! converged. Nothing here prints: what happens is returned as data, or
//! told to the caller through [`WatchEvent`]s.

mod adopt;
mod applied;
mod conflicts;
mod error;
mod facts;
mod follow_up;
mod host;
pub mod owned;
pub mod registry;
mod run;
pub mod saved;
mod scope;
pub mod seed;
mod target;
mod watch;

pub use adopt::Adoption;
pub use applied::{Applied, FollowUp};
pub use error::HostError;
pub use facts::uplink_facts;
pub use host::{Host, Target};
pub use run::{Done, Intent, Operator, Outcome, Proposal};
pub use saved::{SavedPlan, SavedPlanError};
pub use watch::{CONTESTED_FILE, Contested, WatchEvent, WatchOptions, contested, watch};
