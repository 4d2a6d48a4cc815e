//! The seam a provider family plugs into.
//!
//! A family is one kind of host state aio manages (links, sysctls, NAT
//! rules, OVS rows, the Kolla deployment). Given the topology and the facts
//! of the live system, a [`Family`] says which resources it wants, opens the
//! [`Provider`](aio_engine::Provider) that observes and changes them, where
//! the file declares each one, and, for `aio watch`, when the system may
//! have changed under them. The run (`aio-host`) holds the list of families
//! and knows nothing else of them.
//!
//! Ids that cross families (a port on an OVS bridge waits for the link it
//! attaches and for the Kolla deployment that makes the bridge) are built
//! in [`ids`], the one place for them.

pub mod ids;

use std::path::Path;

use async_trait::async_trait;
use tokio::sync::mpsc::UnboundedSender;

use aio_engine::{Plan, Provider, Resource, ResourceId};
use aio_topology::{Facts, MissingFact, Span, Topology};

/// The resources an announced change may concern: `aio watch` plans them,
/// and what depends on them, at once. Shared, as a family may announce the
/// same set at every event.
pub type Touched = std::sync::Arc<[ResourceId]>;

/// What a family is opened with: the topology and what the run knows.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub topology: &'a Topology,
    pub facts: &'a Facts,
    /// The network namespace a rehearsal targets; `None` for the host.
    pub netns: Option<&'a str>,
    pub state_dir: &'a Path,
    /// Actions to run again even where they are recorded as done for the
    /// current inputs (`aio apply --rerun ACTION`), for the families that
    /// run actions; a family refuses a name it does not know.
    pub reruns: &'a [String],
}

/// What a family wants of the system for one topology.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Wanted {
    pub resources: Vec<Resource>,
    /// What the family left out and the user should know (shown as notes).
    pub notes: Vec<String>,
}

impl From<Vec<Resource>> for Wanted {
    fn from(resources: Vec<Resource>) -> Self {
        Wanted {
            resources,
            notes: Vec::new(),
        }
    }
}

/// Why a family cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum FamilyError {
    /// The topology uses a fact the system does not give (`${uplink}` without one).
    #[error("{section}: {fact}")]
    Missing {
        section: &'static str,
        fact: MissingFact,
    },
    /// The family cannot reach what it manages (netlink, OVSDB).
    #[error("{0}")]
    Unreachable(String),
    /// The run asked for something the family cannot do (`--rerun` of an
    /// action the topology does not have).
    #[error("{0}")]
    Refused(String),
}

/// One family of resources. Adding a family is implementing this in its
/// crate and adding it to `aio-host`'s registry.
#[async_trait]
pub trait Family: Send + Sync {
    /// The provider name its resources carry.
    fn name(&self) -> &'static str;

    /// Its resources for this topology and these facts, from the file
    /// alone: nothing is read from the system (`aio graph` runs anywhere).
    fn wanted(&self, cx: Context<'_>) -> Result<Wanted, FamilyError>;

    /// The provider that observes and changes its resources, or `None` when
    /// the topology has nothing of it (no `[ovs]`: no OVSDB to reach).
    async fn provider(&self, cx: Context<'_>) -> Result<Option<Box<dyn Provider>>, FamilyError>;

    /// Where `topology` declares `id`, if `id` is one of this family's.
    fn locate(&self, topology: &Topology, id: &ResourceId) -> Option<Span>;

    /// Sends on `changed`, whenever the system may have changed under some
    /// of `resources` (every resource wanted; a family looks at its own),
    /// the ids of those it may concern, until `changed` is closed. What
    /// does not concern them (a link of someone else's) is not sent.
    /// Families without change events rely on `watch`'s periodic check.
    async fn follow(
        &self,
        _cx: Context<'_>,
        _resources: &[Resource],
        _changed: UnboundedSender<Touched>,
    ) -> Result<(), FamilyError> {
        Ok(())
    }

    /// Whether `watch` leaves this family's changes, and what depends on
    /// them, until the host's own plumbing is in place (Kolla's deployment
    /// needs the links it reads).
    fn after_host(&self) -> bool {
        false
    }

    /// What the operator may do next with what this family made, for a
    /// person to read (Neutron's external network once Kolla is deployed).
    /// `applied` is the plan an apply just carried out: then only what that
    /// apply made possible; `None` (`aio show`): whatever applies now.
    fn next_steps(&self, _cx: Context<'_>, _applied: Option<&Plan>) -> Vec<String> {
        Vec::new()
    }
}
