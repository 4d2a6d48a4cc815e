//! What an apply reports: what it did, and, while its follow-up waits, what
//! it waits for.

use std::time::Duration;

use aio_engine::{Plan, ResourceId};

/// What an apply did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// Changes carried out, the follow-up pass's included.
    pub applied: usize,
    /// Changes still waiting for something.
    pub waiting: usize,
}

/// What the follow-up tells its caller.
#[derive(Debug)]
pub enum FollowUp<'a> {
    /// Still waiting for these, this long so far.
    Waiting {
        ids: &'a [ResourceId],
        waited: Duration,
    },
    /// These changes are possible now and are about to be applied.
    Now(&'a Plan),
}
