//! What planning and applying can fail with. A failure that comes from a
//! provider keeps the provider's [`ErrorKind`] for callers to match on.

use crate::graph::CycleError;
use crate::plan::Plan;
use crate::provider::{ErrorKind, ProviderError};
use crate::resource::{ProviderName, ResourceId};
use crate::state::StateError;

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("resource {0} is declared twice")]
    Duplicate(ResourceId),
    #[error("resource {id} needs provider `{provider}`, which is not available")]
    NoProvider {
        id: ResourceId,
        provider: ProviderName,
    },
    #[error("resource {id} depends on {dep}, which is not among the desired resources")]
    UnknownDependency { id: ResourceId, dep: ResourceId },
    #[error(transparent)]
    Cycle(#[from] CycleError),
    #[error("cannot observe {provider}: {error}")]
    Observe {
        provider: ProviderName,
        error: ProviderError,
    },
    #[error(
        "{id} is in the way: it exists with {found}, the topology wants {wanted}; aio did not create it, so it will not replace it. Remove or rename it, or change the topology"
    )]
    InTheWay {
        id: ResourceId,
        found: String,
        wanted: String,
    },
    #[error("{id}: {error}")]
    Refused {
        id: ResourceId,
        error: ProviderError,
    },
    #[error(transparent)]
    State(#[from] StateError),
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{failed} failed after {applied} change(s) were applied: {error}{}", rolled_back_text(.rolled_back))]
    Failed {
        applied: usize,
        /// Boxed: the error stays small on the happy path's stack.
        failed: Box<ResourceId>,
        error: ProviderError,
        /// What was undone, newest first (empty without rollback).
        rolled_back: Vec<ResourceId>,
    },
    #[error(
        "apply failed ({error}) and so did undoing it ({rollback}): run aio plan to see the state"
    )]
    RollbackFailed {
        error: ProviderError,
        rollback: ProviderError,
    },
    /// `left` is the verifying plan: what is still different (the caller renders it).
    #[error("apply did not converge ({}){}", left.summary(), rolled_back_text(.rolled_back))]
    NotConverged {
        left: Box<Plan>,
        /// What this apply made and then undid, newest first (empty without rollback).
        rolled_back: Vec<ResourceId>,
    },
    #[error("not a plan aio can carry out: {0}; nothing was changed")]
    BadPlan(String),
    #[error("cannot verify: {0}")]
    Verify(#[from] PlanError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("cannot order the plan: {0}")]
    Order(#[from] CycleError),
}

fn rolled_back_text(ids: &[ResourceId]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!(
            "; rolled back: {}",
            ids.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

impl PlanError {
    /// The kind of the provider's failure inside, if one is.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            PlanError::Observe { error, .. } | PlanError::Refused { error, .. } => Some(error.kind),
            _ => None,
        }
    }
}

impl ApplyError {
    /// The kind of the provider's failure inside, if one is (for a failed
    /// rollback, the apply's failure, not the rollback's); a plan that
    /// could not be verified keeps its own.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            ApplyError::Failed { error, .. } | ApplyError::RollbackFailed { error, .. } => {
                Some(error.kind)
            }
            ApplyError::Verify(e) => e.kind(),
            _ => None,
        }
    }
}
