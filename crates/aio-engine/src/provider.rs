//! The seam every provider plugs into.

use async_trait::async_trait;
use indexmap::IndexMap;
use std::fmt;

use crate::attrs::Attrs;
use crate::detail::Detail;
use crate::plan::Change;
use crate::resource::{ProviderName, Resource, ResourceId};

use crate::observed::Observed;

/// What kind of failure a [`ProviderError`] is: what a caller matches on
/// to decide what to do (plan again, wait and retry, tell the operator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// aio cannot reach or read what the provider manages (netlink, an
    /// OVSDB server, `nft`, a network namespace, a file it must read).
    Unreachable,
    /// The system did not answer in time: whether a change took effect is
    /// not known until it is observed again.
    Timeout,
    /// aio or the system will not take this change (it would modify the
    /// uplink, delete what aio did not create, write where aio cannot
    /// trust): nothing was changed.
    Refused,
    /// The system changed since the plan was made, or someone else's object
    /// is in the way: nothing was changed, and planning again tells more.
    Conflict,
    /// The change is not one the provider can read (attributes of the
    /// wrong shape): a plan aio does not make.
    Invalid,
    /// The system said no while the change was carried out.
    Failed,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Unreachable => "unreachable",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Refused => "refused",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Failed => "failed",
        })
    }
}

/// A provider's failure, in words a user can act on, with its kind for a
/// caller to match on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ProviderError {
    pub kind: ErrorKind,
    pub message: String,
    /// Changes of the failed batch that did take effect (a rollback undoes
    /// only these: anything else may not be aio's).
    pub applied: Vec<ResourceId>,
}

impl ProviderError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ProviderError {
            kind,
            message: message.into(),
            applied: Vec::new(),
        }
    }

    /// [`ErrorKind::Unreachable`].
    pub fn unreachable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unreachable, message)
    }

    /// [`ErrorKind::Timeout`].
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Timeout, message)
    }

    /// [`ErrorKind::Refused`].
    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Refused, message)
    }

    /// [`ErrorKind::Conflict`].
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }

    /// [`ErrorKind::Invalid`].
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }

    /// [`ErrorKind::Failed`].
    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Failed, message)
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn with_applied(mut self, applied: Vec<ResourceId>) -> Self {
        self.applied = applied;
        self
    }
}

/// An object outside a provider's own that does what a wanted resource
/// declares (a masquerade rule another tool made in another table). `aio
/// adopt` takes the first over and deletes the rest as duplicates, unless
/// the provider leaves it alone (`left_alone`).
#[derive(Debug, Clone, PartialEq)]
pub struct Foreign {
    /// The object itself, in the provider's own words (`nft-rule/ip/nat/POSTROUTING/4`).
    pub id: ResourceId,
    /// The wanted resource it does the work of.
    pub of: ResourceId,
    /// What it is, as observed.
    pub attrs: Attrs,
    /// Why aio may neither take it over nor delete it, when it only looks
    /// like what `of` declares (another table, more matches, options):
    /// shown in plans, never changed.
    pub left_alone: Option<String>,
}

/// The providers of an engine, by name.
pub(crate) type Providers = IndexMap<ProviderName, Box<dyn Provider>>;

/// One family of resources on the live system (links, NAT rules, OVS rows...).
#[async_trait]
pub trait Provider: Send + Sync {
    /// Matches [`Resource::provider`](crate::Resource::provider).
    fn name(&self) -> ProviderName;

    /// The live attributes of `ids`, in bulk (one dump per kind, not one query per object).
    async fn observe(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError>;

    /// Like [`Provider::observe`], for a plan within a scope: a few of the
    /// provider's resources, which it may ask for one by one instead of
    /// dumping all. [`Provider::check`] then sees only those.
    async fn observe_within(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
        self.observe(ids).await
    }

    /// Refuses, before anything is applied, a change the system cannot take.
    /// Called with what the last `observe` saw.
    fn check(&self, _change: &Change) -> Result<(), ProviderError> {
        Ok(())
    }

    /// Why `change` cannot be made yet, if it must wait for something another
    /// resource makes (a bridge Kolla creates). Waiting is not an error: the
    /// plan shows it, apply leaves it, and a later run picks it up.
    fn waiting(&self, _change: &Change) -> Option<String> {
        None
    }

    /// A fuller account of `change` for the plan, when its attributes say too
    /// little (a file's lines that change, the commands that will run).
    fn describe(&self, _change: &Change) -> Option<Detail> {
        None
    }

    /// Whether an object that exists, is not aio's, and is what `wanted`
    /// declares may be taken over by `aio adopt` (never a NIC aio would not
    /// create, never a sysctl, which aio does not own).
    fn adoptable(&self, _wanted: &Resource) -> bool {
        true
    }

    /// Objects outside this provider's own that do what one of `wanted`
    /// declares. Called after `observe`.
    async fn foreign(&self, _wanted: &[&Resource]) -> Result<Vec<Foreign>, ProviderError> {
        Ok(Vec::new())
    }

    /// Whether `id`, once this provider makes or takes it over, becomes
    /// aio's to delete when the topology drops it. A Kolla deployment never
    /// is (`kolla-ansible destroy` is a step of its own, confirmed by
    /// hand), nor an exported directory, which holds the volumes' data.
    fn deletes(&self, _id: &ResourceId) -> bool {
        true
    }

    /// Whether a failed apply may undo this provider's changes (a deploy cannot be).
    fn reversible(&self) -> bool {
        true
    }

    /// Whether all of a plan's changes for this provider must come in one
    /// `apply` call, to be made in one transaction. The provider then orders
    /// them itself (their `deps` say how).
    fn atomic(&self) -> bool {
        false
    }

    /// Whether an object keeps its identity when an `Update` changes it in
    /// place (an OVSDB row its UUID, a link its index). When it may not (an
    /// nftables rule replaced gets a new handle), apply forgets the identity
    /// before the update and learns it again after.
    fn keeps_identity(&self) -> bool {
        false
    }

    /// Carries out changes: for a non-atomic provider, changes that do not
    /// depend on each other, in any order or all at once. Deleting what is
    /// already gone succeeds. An `Adopt` makes the object the provider's
    /// own where that takes a mark (an OVS row's owner key) or, with no
    /// `before`, replaces the foreign object the plan deletes beside it.
    async fn apply(&self, changes: &[&Change]) -> Result<(), ProviderError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a caller does with a failure depends on its kind alone.
    fn advice(error: &ProviderError) -> &'static str {
        match error.kind() {
            ErrorKind::Unreachable | ErrorKind::Timeout => "try again",
            ErrorKind::Conflict => "plan again",
            ErrorKind::Refused | ErrorKind::Invalid => "change the topology",
            ErrorKind::Failed => "read the message",
        }
    }

    #[test]
    fn a_caller_matches_the_kind_not_the_words() {
        let cases = [
            (
                ProviderError::unreachable("netlink dump: gone"),
                ErrorKind::Unreachable,
            ),
            (ProviderError::timeout("no answer"), ErrorKind::Timeout),
            (ProviderError::refused("the uplink"), ErrorKind::Refused),
            (
                ProviderError::conflict("changed since the plan"),
                ErrorKind::Conflict,
            ),
            (ProviderError::invalid("not a link"), ErrorKind::Invalid),
            (ProviderError::failed("File exists"), ErrorKind::Failed),
        ];
        for (error, kind) in &cases {
            assert_eq!(error.kind(), *kind, "{error}");
        }
        let advice: Vec<&str> = cases.iter().map(|(e, _)| advice(e)).collect();
        assert_eq!(
            advice,
            [
                "try again",
                "try again",
                "change the topology",
                "plan again",
                "change the topology",
                "read the message",
            ]
        );
    }

    #[test]
    fn the_kind_does_not_change_the_words() {
        let error = ProviderError::conflict("OVSDB changed").with_applied(Vec::new());
        assert_eq!(error.to_string(), "OVSDB changed");
        assert_eq!(ErrorKind::Conflict.to_string(), "conflict");
    }
}
