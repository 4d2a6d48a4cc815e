//! A plan is data: the ordered changes that take the system from what was
//! observed to what the topology says, with the facts it was made from.

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

use crate::attr_value::AttrValue;
use crate::attrs::Attrs;
use crate::conflict::Conflict;
use crate::detail::Detail;
use crate::observed::Identity;
use crate::resource::{ProviderName, ResourceId};

/// The version of a plan's document (docs/plan.schema.json): what
/// `aio plan --json` prints, `aio apply --json` streams, saved plans hold
/// and the Ansible module reads. A document of another version is refused.
pub const PLAN_FORMAT_VERSION: u32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
    Replace,
    /// Take over an object someone else made that is what the topology
    /// declares: from now on it is aio's (only `aio adopt` plans this).
    Adopt,
}

impl Action {
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Delete => "-",
            Action::Replace => "-/+",
            Action::Adopt => "=",
        }
    }

    /// Whether applying it makes the object aio's.
    pub fn claims(self) -> bool {
        matches!(self, Action::Create | Action::Replace | Action::Adopt)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub id: ResourceId,
    pub provider: ProviderName,
    pub action: Action,
    /// Observed values of the managed attributes; `None` when creating.
    pub before: Option<Attrs>,
    /// Desired attributes; `None` when deleting. Shared with the resource
    /// that wants them: a plan of thousands of creations copies none.
    pub after: Option<Arc<Attrs>>,
    /// The provider's fuller account, shown under the change's line.
    #[serde(default)]
    pub detail: Option<Detail>,
    #[serde(default)]
    pub deps: Vec<ResourceId>,
}

impl Change {
    /// The attributes that differ, as `(key, before, after)`.
    pub fn differences(&self) -> Vec<(&str, &AttrValue, &AttrValue)> {
        let (Some(before), Some(after)) = (&self.before, &self.after) else {
            return Vec::new();
        };
        after
            .iter()
            .filter_map(|(k, v)| {
                let old = &before[k];
                (old != v).then_some((k, old, v))
            })
            .collect()
    }
}

/// A resource the plan leaves for now, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "PendingDoc", from = "PendingDoc")]
pub struct Pending {
    pub id: ResourceId,
    pub reason: Reason,
}

/// Why a resource is left for now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// It depends on a resource that is itself left for now.
    WaitsFor(ResourceId),
    /// Its provider says the change must wait, in the provider's words.
    NotYet(String),
    /// Its provider could not observe the system.
    Unobservable {
        provider: ProviderName,
        error: String,
    },
    /// The caller left it for a later pass, and says why.
    Later(String),
    /// aio owned it, and it is gone.
    Gone,
    /// aio owned it, and someone else made it again.
    Remade { was: Identity, now: Identity },
    /// It is there and is what the topology says, but aio did not make it.
    NotOwned,
    /// Someone else's object that does what the given resource declares.
    DoesTheWorkOf(ResourceId),
    /// Someone else's object that looks like what `of` declares but that
    /// aio may not touch, and why (in its provider's words).
    LeftAlone { of: ResourceId, why: String },
    /// A reason as a saved plan states it (read back, never acted on).
    Stated(String),
}

impl Reason {
    /// Held only because something it depends on is held: the cause is
    /// reported at that other resource.
    pub fn is_consequence(&self) -> bool {
        matches!(self, Reason::WaitsFor(_))
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::WaitsFor(dep) => write!(f, "waits for {dep}"),
            Reason::NotYet(why) | Reason::Later(why) | Reason::Stated(why) => f.write_str(why),
            Reason::Unobservable { provider, error } => {
                write!(f, "cannot observe {provider}: {error}")
            }
            Reason::Gone => f.write_str("gone: aio no longer owns it"),
            Reason::NotOwned => f.write_str("exists, not aio's: `aio adopt` takes it over"),
            Reason::DoesTheWorkOf(of) => write!(
                f,
                "does what {of} declares, not aio's: `aio adopt` takes it over"
            ),
            Reason::LeftAlone { of, why } => write!(
                f,
                "looks like what {of} declares, but {why}: aio leaves it alone"
            ),
            Reason::Remade { was, now } => write!(
                f,
                "made again by someone else ({was} is now {now}): aio no longer owns it and will not delete it"
            ),
        }
    }
}

/// A pending resource as plans write it: the reason in words, and the
/// resource it waits for when that is the reason.
#[derive(Serialize, Deserialize)]
struct PendingDoc {
    id: ResourceId,
    reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    waits_for: Option<ResourceId>,
}

impl From<Pending> for PendingDoc {
    fn from(p: Pending) -> Self {
        let waits_for = match &p.reason {
            Reason::WaitsFor(dep) => Some(dep.clone()),
            _ => None,
        };
        PendingDoc {
            id: p.id,
            reason: p.reason.to_string(),
            waits_for,
        }
    }
}

impl From<PendingDoc> for Pending {
    fn from(d: PendingDoc) -> Self {
        let reason = match d.waits_for {
            Some(dep) => Reason::WaitsFor(dep),
            None => Reason::Stated(d.reason),
        };
        Pending { id: d.id, reason }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    #[serde(default, skip_serializing_if = "is_zero")]
    pub adopt: usize,
    pub create: usize,
    pub change: usize,
    pub delete: usize,
    pub waiting: usize,
    pub unavailable: usize,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub conflicts: usize,
}

/// A plan. Its document (the one JSON form of a plan) is
/// `{format_version, facts, changes, waiting, unavailable, summary}`, then
/// `released`, `adoptable`, `conflicts` and `scope` when there are any; the summary is
/// written from the changes, and not read back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// What the plan was made from, e.g. `uplink = eth0`.
    pub facts: IndexMap<String, String>,
    /// In execution order.
    pub changes: Vec<Change>,
    /// Changes that must wait for another resource (not an error).
    pub waiting: Vec<Pending>,
    /// Resources whose provider could not observe them (an error).
    pub unavailable: Vec<Pending>,
    /// Objects aio owned that are gone or were made again by someone else:
    /// no longer aio's (a note; applying the plan forgets them).
    pub released: Vec<Pending>,
    /// Objects that are what the topology declares but that aio did not
    /// make: left alone, never deleted; `aio adopt` takes them over.
    pub adoptable: Vec<Pending>,
    /// Objects aio checks but does not own that disagree with the
    /// topology: nothing aio changes, a contradiction to resolve.
    pub conflicts: Vec<Conflict>,
    /// When the plan is limited to part of the graph (`--target`): the
    /// resources it covers. Applying it verifies only those.
    pub scope: Option<Vec<ResourceId>>,
}

/// A plan as its document writes it.
#[derive(Serialize)]
struct PlanDocOut<'a> {
    format_version: u32,
    facts: &'a IndexMap<String, String>,
    changes: &'a [Change],
    waiting: &'a [Pending],
    unavailable: &'a [Pending],
    summary: Summary,
    #[serde(skip_serializing_if = "<[Pending]>::is_empty")]
    released: &'a [Pending],
    #[serde(skip_serializing_if = "<[Pending]>::is_empty")]
    adoptable: &'a [Pending],
    #[serde(skip_serializing_if = "<[Conflict]>::is_empty")]
    conflicts: &'a [Conflict],
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: &'a Option<Vec<ResourceId>>,
}

/// A plan as its document is read: any key it does not know is an error.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanDocIn {
    format_version: u32,
    facts: IndexMap<String, String>,
    changes: Vec<Change>,
    #[serde(default)]
    waiting: Vec<Pending>,
    #[serde(default)]
    unavailable: Vec<Pending>,
    /// Written from the changes; what a document says is not kept.
    #[serde(default, rename = "summary")]
    _summary: Option<Summary>,
    #[serde(default)]
    released: Vec<Pending>,
    #[serde(default)]
    adoptable: Vec<Pending>,
    #[serde(default)]
    conflicts: Vec<Conflict>,
    #[serde(default)]
    scope: Option<Vec<ResourceId>>,
}

impl Serialize for Plan {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PlanDocOut {
            format_version: PLAN_FORMAT_VERSION,
            facts: &self.facts,
            changes: &self.changes,
            waiting: &self.waiting,
            unavailable: &self.unavailable,
            summary: self.summary(),
            released: &self.released,
            adoptable: &self.adoptable,
            conflicts: &self.conflicts,
            scope: &self.scope,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Plan {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let doc = PlanDocIn::deserialize(deserializer)?;
        if doc.format_version != PLAN_FORMAT_VERSION {
            return Err(serde::de::Error::custom(format!(
                "a plan of format version {}, not {PLAN_FORMAT_VERSION}",
                doc.format_version
            )));
        }
        Ok(Plan {
            facts: doc.facts,
            changes: doc.changes,
            waiting: doc.waiting,
            unavailable: doc.unavailable,
            released: doc.released,
            adoptable: doc.adoptable,
            conflicts: doc.conflicts,
            scope: doc.scope,
        })
    }
}

impl Plan {
    /// No change to make now (some may still be waiting or unavailable).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Nothing to do, nothing waiting, nothing unknown, nothing in conflict.
    pub fn is_converged(&self) -> bool {
        self.changes.is_empty()
            && self.waiting.is_empty()
            && self.unavailable.is_empty()
            && self.conflicts.is_empty()
    }

    /// A resource the plan changes more than once, if any: no plan aio makes
    /// does, so such a plan is forged or damaged.
    pub fn changed_twice(&self) -> Option<&ResourceId> {
        let mut seen = std::collections::HashSet::new();
        self.changes
            .iter()
            .map(|c| &c.id)
            .find(|id| !seen.insert(*id))
    }

    /// A replacement counts as one creation and one deletion.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            waiting: self.waiting.len(),
            unavailable: self.unavailable.len(),
            conflicts: self.conflicts.len(),
            ..Summary::default()
        };
        for c in &self.changes {
            match c.action {
                Action::Create => s.create += 1,
                Action::Update => s.change += 1,
                Action::Delete => s.delete += 1,
                Action::Replace => {
                    s.create += 1;
                    s.delete += 1;
                }
                Action::Adopt => s.adopt += 1,
            }
        }
        s
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.adopt > 0 {
            write!(f, "{} to adopt, ", self.adopt)?;
        }
        write!(
            f,
            "{} to create, {} to change, {} to delete",
            self.create, self.change, self.delete
        )?;
        if self.waiting > 0 {
            write!(f, ", {} waiting", self.waiting)?;
        }
        if self.unavailable > 0 {
            write!(f, ", {} unavailable", self.unavailable)?;
        }
        if self.conflicts > 0 {
            write!(f, ", {} in conflict", self.conflicts)?;
        }
        Ok(())
    }
}
