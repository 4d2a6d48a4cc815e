//! The seam a provider family plugs into.
//!
//! A family is one kind of host state aio manages (links, sysctls, NAT
//! rules, OVS rows, the Kolla deployment). A [`Family`] brings everything
//! of that kind to the run: the facts of the live system it knows (the
//! uplink from netlink, the VIP from Kolla), which resources it wants for
//! the topology, the [`Provider`] that observes and
//! changes them, where the file declares each one, what to do before an
//! apply (keep a chosen VIP), work beyond its resources that `aio destroy`
//! does only when asked and confirmed ([`Teardown`]), and, for `aio watch`,
//! when the system may have changed under them. The run (`aio-host`) holds
//! the list of families and knows nothing else of them; what several
//! families use once per run (one netlink connection) they keep in the
//! run's [`Shared`] slots.
//!
//! Ids that cross families (a port on an OVS bridge waits for the link it
//! attaches and for the Kolla deployment that makes the bridge) are built
//! in [`ids`], the one place for them.

mod error;
pub mod ids;
mod shared;

use std::path::Path;

use async_trait::async_trait;
use tokio::sync::mpsc::UnboundedSender;

use aio_engine::{Plan, Provider, ProviderName, Resource, ResourceId};
use aio_topology::{Facts, Span, Topology, Uplink};

pub use error::{FamilyError, FamilyErrorKind};
pub use shared::Shared;

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
    /// What the families of this run share (its netlink connection).
    pub shared: &'a Shared,
}

/// Where the run looks for facts, before it knows any.
#[derive(Clone, Copy)]
pub struct Probe<'a> {
    /// The topology; `None` when there is none yet (`aio init` looks for
    /// the uplink alone).
    pub topology: Option<&'a Topology>,
    /// Which NIC is the uplink: the topology's `host.uplink`, or what
    /// `aio init` was given.
    pub uplink: &'a Uplink,
    /// The network namespace a rehearsal targets; `None` for the host.
    pub netns: Option<&'a str>,
    /// Where aio records what it owns; `None` when there is none (`aio init`).
    pub state_dir: Option<&'a Path>,
    pub shared: &'a Shared,
}

/// Work beyond a family's resources that `aio destroy` does only when
/// asked for and confirmed by a person: Kolla's `kolla-ansible destroy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Teardown {
    /// What runs (`kolla-ansible destroy`).
    pub name: String,
    /// What it removes, for a person (`every OpenStack container and volume`).
    pub removes: String,
    /// What the person types back to confirm (the Kolla config dir).
    pub confirm_with: String,
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

/// One family of resources. Adding a family is implementing this in its
/// crate, one line in `aio-host`'s registry and one in its `Cargo.toml`.
/// Only `name`, `wanted`, `provider` and `locate` are required; the rest
/// has defaults that do nothing.
#[async_trait]
pub trait Family: Send + Sync {
    /// The provider name its resources carry.
    fn name(&self) -> ProviderName;

    /// Asks the system, before the topology file is read, what
    /// [`Family::facts`] will need whatever the file says (netlink's dump of
    /// every link), keeping it in `shared`: it runs while the file is
    /// parsed, on the other core. A failure here is not an error: `facts`
    /// asks again and says why. Nothing by default.
    async fn prefetch(&self, _netns: Option<&str>, _shared: &Shared) {}

    /// Adds what this family knows of the live system to `facts`, before
    /// anything is planned. Families are asked in the registry's order, so
    /// each sees what those before it found (Kolla chooses the VIP on the
    /// uplink netlink found). Nothing by default.
    async fn facts(&self, _probe: Probe<'_>, _facts: &mut Facts) -> Result<(), FamilyError> {
        Ok(())
    }

    /// The facts this family adds to a plan, for a person (`vip`, with
    /// where it came from), after the run's own (`netns`, `uplink`).
    fn plan_facts(&self, _cx: Context<'_>) -> Vec<(String, String)> {
        Vec::new()
    }

    /// Whether a rehearsal may let this family run its actions: they run a
    /// stand-in that never reaches the host (Kolla's, for tests).
    fn stands_in(&self) -> bool {
        false
    }

    /// Its resources for this topology and these facts, from the file
    /// alone: nothing is read from the system (`aio graph` runs anywhere).
    fn wanted(&self, cx: Context<'_>) -> Result<Wanted, FamilyError>;

    /// [`Family::wanted`], for a family whose resources follow from the
    /// topology alone (not the facts, the namespace or the state). It is
    /// asked as soon as the file is parsed, while the system is still being
    /// read, so a run does not wait for it after the facts; it must give
    /// what `wanted` gives. `None` (the default): `wanted` is asked, once the
    /// facts are in.
    fn wanted_from_topology(&self, _topology: &Topology) -> Option<Wanted> {
        None
    }

    /// The provider that observes and changes its resources, or `None` when
    /// the topology has nothing of it (no `[ovs]`: no OVSDB to reach).
    async fn provider(&self, cx: Context<'_>) -> Result<Option<Box<dyn Provider>>, FamilyError>;

    /// Where `topology` declares `id`, if `id` is one of this family's.
    fn locate(&self, topology: &Topology, id: &ResourceId) -> Option<Span>;

    /// Every place `topology` holds what attribute `key` of checked
    /// resource `id` must be, each with what it is there (`the tag of port
    /// v-lbaas-vlan`), so a conflict names each line to look at. By
    /// default the one place [`locate`](Family::locate) gives.
    fn locate_key(&self, topology: &Topology, id: &ResourceId, _key: &str) -> Vec<(Span, String)> {
        self.locate(topology, id)
            .map(|span| (span, format!("what declares {id}")))
            .into_iter()
            .collect()
    }

    /// What to do before an apply changes anything (Kolla keeps a VIP it
    /// chose, so later runs keep it). Nothing by default.
    fn before_apply(&self, _cx: Context<'_>) -> Result<(), FamilyError> {
        Ok(())
    }

    /// Work beyond its resources this family would do on `aio destroy`
    /// when asked, for the caller to confirm; `None` when there is none.
    fn teardown(&self, _cx: Context<'_>) -> Result<Option<Teardown>, FamilyError> {
        Ok(None)
    }

    /// Does the work [`teardown`](Family::teardown) described, once the
    /// caller confirmed it.
    fn run_teardown(&self, _cx: Context<'_>) -> Result<(), FamilyError> {
        Ok(())
    }

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
