//! Why a run stops.

use aio_engine::{ApplyError, LockError, PlanError, StateError};
use aio_family::FamilyError;
use aio_topology::{Diagnostics, LoadError};

#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("{0}")]
    Topology(#[from] LoadError),
    /// The file does not fit the system it targets (located diagnostics).
    #[error("{0}")]
    Facts(#[from] Diagnostics),
    /// A family's facts, resources, provider or own work (choosing the
    /// VIP, `kolla-ansible destroy`); its kind says which.
    #[error("{0}")]
    Family(#[from] FamilyError),
    #[error("plan failed, nothing was changed: {0}")]
    Plan(#[from] PlanError),
    #[error("apply failed: {0}")]
    Apply(#[from] ApplyError),
    /// An apply that failed at a resource the file declares at `at` (`FILE:LINE:COL`).
    #[error("{at}: apply failed: {error}")]
    ApplyAt { at: String, error: Box<ApplyError> },
    #[error("{0}")]
    State(#[from] StateError),
    #[error("{0}")]
    Lock(#[from] LockError),
    /// Looking for or disabling the old installer's boot units.
    #[error("{0}")]
    Seed(#[from] crate::seed::SeedError),
    #[error("{0}")]
    Refused(String),
}

impl HostError {
    /// The apply error, however located.
    pub fn apply_error(&self) -> Option<&ApplyError> {
        match self {
            HostError::Apply(e) => Some(e),
            HostError::ApplyAt { error, .. } => Some(error),
            _ => None,
        }
    }
}
