//! What the watch loop tells its caller.

use std::time::Duration;

use aio_engine::{Change, Pending, ResourceId};

use crate::HostError;

/// What the watch loop tells its caller, to log.
#[derive(Debug)]
pub enum WatchEvent<'a> {
    /// The host's own plumbing is in place (or was tried): a service may say it is ready.
    HostReady,
    /// Something could not be checked yet; it is retried. Told once until
    /// the reason changes or the resource can be checked again.
    NotYet(&'a Pending),
    CannotPlan(&'a HostError),
    Locked(&'a HostError),
    Repaired(&'a Change),
    ApplyFailed(&'a HostError),
    /// Another writer keeps undoing the repairs of `id`: the next repair
    /// waits `wait` (doubling with each repair undone, up to a cap).
    Contested {
        id: &'a ResourceId,
        wait: Duration,
    },
    /// `id` stayed as repaired for `quiet`: it is repaired at once again.
    Settled {
        id: &'a ResourceId,
        quiet: Duration,
    },
}
