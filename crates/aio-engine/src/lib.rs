//! The reconcile core of aio, knowing nothing of netlink, OVSDB or nftables.
//!
//! One pass is always the same pipeline:
//!
//! ```text
//! desired resources + observed state --diff--> Plan (data, ordered)
//! Plan --apply--> providers --re-observe--> verify
//! ```
//!
//! A [`Provider`] owns one family of resources: it observes them in bulk and
//! carries out changes. The engine orders resources by their dependencies,
//! diffs attributes generically, records what aio created in the [`State`]
//! so that only aio's own objects are ever pruned, and checks after applying
//! that the system really converged. A resource may be only checked
//! (someone else's object the topology must agree with): a difference is
//! a [`Conflict`] in the plan, never a change.

mod adopt;
mod apply;
mod attr_value;
mod attrs;
mod batch;
mod conflict;
mod detail;
mod diff;
mod engine;
mod error;
mod graph;
mod lock;
mod observed;
mod plan;
mod provider;
mod resource;
mod rollback;
mod short;
mod state;
mod status;
mod text;
mod writes;

pub use attr_value::AttrValue;
pub use attrs::Attrs;
pub use conflict::{Conflict, Disagreement};
pub use detail::{Detail, DetailLine, LineKind};
pub use engine::{ApplyReport, Engine};
pub use error::{ApplyError, PlanError};
pub use graph::{CycleError, FastHash, order};
pub use lock::{LockError, StateLock};
pub use observed::{Identity, Observed};
pub use plan::{Action, Change, PLAN_FORMAT_VERSION, Pending, Plan, Reason, Summary};
pub use provider::{ErrorKind, Foreign, Provider, ProviderError};
pub use resource::{BadId, Kind, ProviderName, Resource, ResourceId, TypedAttrs};
pub use state::{OwnedEntry, State, StateError};
pub use status::{Difference, ResourceStatus, Status, statuses};
pub use writes::{Since, Writes};
