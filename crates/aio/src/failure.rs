//! Why a command ends with exit code 1.

/// Everything that ends a command with exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Topology(#[from] aio_topology::LoadError),
    #[error("{0}")]
    Facts(#[from] aio_topology::Diagnostics),
    #[error("{0}")]
    Netlink(#[from] aio_netlink::NetlinkError),
    #[error("plan failed, nothing was changed: {0}")]
    Plan(#[from] aio_engine::PlanError),
    #[error("apply failed: {0}")]
    Apply(#[from] aio_engine::ApplyError),
    /// An apply that failed at a resource the file declares at `at`.
    #[error("{at}: apply failed: {error}")]
    ApplyAt {
        at: String,
        error: Box<aio_engine::ApplyError>,
    },
    #[error("{0}")]
    State(#[from] aio_engine::StateError),
    #[error("{0}")]
    Refused(String),
}
