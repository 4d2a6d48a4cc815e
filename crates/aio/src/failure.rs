//! Why a command ends with exit code 1.

/// Everything that ends a command with exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Topology(#[from] aio_topology::LoadError),
    #[error("{0}")]
    Facts(#[from] aio_topology::Diagnostics),
    #[error(transparent)]
    Host(#[from] aio_host::HostError),
    #[error("{0}")]
    Saved(#[from] aio_host::SavedPlanError),
    #[error("{0}")]
    Release(#[from] aio_host::owned::ReleaseError),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Refused(String),
}
