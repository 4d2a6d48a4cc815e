//! [`NetlinkProvider`]: the engine's view of links and addresses, on one
//! netlink connection.

use async_trait::async_trait;
use futures::StreamExt;
use futures::stream::FuturesOrdered;
use rtnetlink::Handle;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use aio_engine::{
    Action, Change, ErrorKind, Observed, Provider, ProviderError, ProviderName, Resource,
    ResourceId, Since,
};

use aio_family::ids::LINK;

use crate::address::observed::observed as address_observed;
use crate::change::apply as apply_change;
use crate::change_error::{ChangeError, ChangeErrorKind};
use crate::check::{Protected, check};
use crate::connection::strict;
use crate::dump::{Addresses, Snapshot, dump_failed};
use crate::error::NetlinkError;
use crate::id::NetId;
use crate::known::{FEW, Known, KnownIndexes};
use crate::link::observed::{attrs as link_attrs, identity as link_identity};
use crate::name::PROVIDER;
use crate::primed::Primed;

/// Changes a wave keeps in flight on the socket at once.
const IN_FLIGHT: usize = 128;

pub struct NetlinkProvider {
    handle: Handle,
    /// The uplink and every interface with a default route: never modified,
    /// whatever a change says.
    protected: Protected,
    /// What the last observe saw, for `check`.
    last: Mutex<Snapshot>,
    /// Link names to indexes, for apply (read off `last` when first needed).
    indexes: KnownIndexes,
    /// The facts' dump, for the first observe (see [`Primed`]).
    primed: Option<Arc<Primed>>,
    /// The namespace, and a socket to it in strict mode for a scoped
    /// observe's addresses, opened at the first (`None` if it could not be).
    netns: Option<String>,
    strict: tokio::sync::OnceCell<Option<Handle>>,
}

impl NetlinkProvider {
    /// A provider that never modifies the `protected` interfaces.
    pub fn new(handle: Handle, protected: Vec<String>) -> Self {
        NetlinkProvider {
            handle,
            protected: Protected::new(protected),
            last: Mutex::new(Snapshot::default()),
            indexes: KnownIndexes::default(),
            primed: None,
            netns: None,
            strict: tokio::sync::OnceCell::new(),
        }
    }

    /// The provider's requests go to `netns` (for its strict socket; the
    /// handle it was made with already does).
    pub fn in_netns(mut self, netns: Option<&str>) -> Self {
        self.netns = netns.map(str::to_string);
        self
    }

    /// Addresses of a few links: from the strict socket if it opens, else all.
    async fn addresses_of_links(&self) -> Addresses<'_> {
        let strict = self
            .strict
            .get_or_init(|| async { strict(self.netns.as_deref()).await.ok() })
            .await;
        strict.as_ref().map_or(Addresses::All, Addresses::OfLinks)
    }

    /// The first observe uses `primed`'s dump, if still fresh, instead of its own.
    pub fn primed(mut self, primed: Option<Arc<Primed>>) -> Self {
        self.primed = primed;
        self
    }

    /// What `snapshot` shows of `ids`; the snapshot is kept for `check` and
    /// its indexes for apply. `since`: when the dump started.
    fn keep(&self, snapshot: Snapshot, ids: &[ResourceId], since: Since) -> Observed {
        let mut out = Observed::with_capacity(ids.len());
        for id in ids {
            let seen = match NetId::of(id) {
                Some(NetId::Link(link)) => snapshot
                    .link(link.name())
                    .map(|l| (link_attrs(&snapshot, l), link_identity(l))),
                Some(NetId::Address(address)) => address_observed(&snapshot, &address),
                None => None,
            };
            if let Some((attrs, identity)) = seen {
                out.insert_identified(id.clone(), attrs, identity);
            }
        }
        // The snapshot and what is known change together: the indexes
        // will be read off it.
        let later = Known::later(&snapshot);
        self.indexes.settle(since, later, || {
            *self.last.lock().unwrap_or_else(PoisonError::into_inner) = snapshot;
        });
        out
    }
}

/// The engine's kind of a failed change.
fn kind_of(e: &ChangeError) -> ErrorKind {
    match e.kind() {
        ChangeErrorKind::NotPermitted => ErrorKind::Refused,
        ChangeErrorKind::Refused => ErrorKind::Failed,
        ChangeErrorKind::Missing => ErrorKind::Conflict,
        ChangeErrorKind::Invalid => ErrorKind::Invalid,
    }
}

#[async_trait]
impl Provider for NetlinkProvider {
    fn name(&self) -> ProviderName {
        PROVIDER
    }

    async fn observe(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
        let since = self.indexes.since();
        let snapshot = match self.primed.as_ref().and_then(|p| p.take()) {
            Some(kept) => kept,
            None => {
                // The last dump and the indexes read off it are stale once
                // another is asked for: not kept beside it (at a thousand
                // bridges, a megabyte). An apply meanwhile dumps the links.
                self.indexes.forget();
                drop(std::mem::take(
                    &mut *self.last.lock().unwrap_or_else(PoisonError::into_inner),
                ));
                Snapshot::take(&self.handle, self.netns.as_deref())
                    .await
                    .map_err(dump_failed)?
            }
        };
        Ok(self.keep(snapshot, ids, since))
    }

    /// A few links are asked for by name (with the links they name and
    /// every address); more are dumped.
    async fn observe_within(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
        if let Some(p) = &self.primed {
            p.forget();
        }
        let since = self.indexes.since();
        let ours: Vec<NetId> = ids.iter().filter_map(NetId::of).collect();
        let names: BTreeSet<&str> = ours.iter().map(NetId::interface).collect();
        let snapshot = match names.len() <= FEW {
            true => {
                let addresses = self.addresses_of_links().await;
                Snapshot::of_links(&self.handle, &names, addresses)
                    .await
                    .map_err(NetlinkError::from)
            }
            false => Snapshot::take(&self.handle, self.netns.as_deref()).await,
        }
        .map_err(dump_failed)?;
        Ok(self.keep(snapshot, ids, since))
    }

    /// An update (master, state, MTU) changes the link in place: its index stays.
    fn keeps_identity(&self) -> bool {
        true
    }

    /// Links aio would create (a bridge, a veth) and addresses; never a NIC.
    fn adoptable(&self, wanted: &Resource) -> bool {
        match NetId::of(&wanted.id) {
            Some(NetId::Link(link)) => {
                wanted.attrs.contains_key("kind") && !self.protected.has(link.name())
            }
            Some(NetId::Address(address)) => !self.protected.has(&address.iface),
            None => false,
        }
    }

    fn check(&self, change: &Change) -> Result<(), ProviderError> {
        let snapshot = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        check(change, &snapshot, &self.protected)
    }

    async fn apply(&self, changes: &[&Change]) -> Result<(), ProviderError> {
        if let Some(p) = &self.primed {
            p.forget();
        }
        if let Some(c) = changes.iter().find(|c| self.protected.touched_by(&c.id)) {
            return Err(ProviderError::refused(format!(
                "{} would modify the uplink, which aio never does",
                c.id
            )));
        }
        let indexes = self
            .indexes
            .for_changes(&self.handle, self.netns.as_deref(), changes, &self.last)
            .await?;
        // Independent changes, in flight together over the one socket. The
        // kernel takes them one at a time: a bounded window keeps it busy
        // without holding a request, a future and a reply channel for each
        // of thousands of changes at once.
        let mut next = changes.iter();
        let mut flying = FuturesOrdered::new();
        let mut results = Vec::with_capacity(changes.len());
        for c in next.by_ref().take(IN_FLIGHT) {
            flying.push_back(apply_change(&self.handle, &indexes, c));
        }
        while let Some(result) = flying.next().await {
            results.push(result);
            if let Some(c) = next.next() {
                flying.push_back(apply_change(&self.handle, &indexes, c));
            }
        }
        let links = |actions: &[Action]| {
            changes
                .iter()
                .any(|c| c.id.is(&LINK) && actions.contains(&c.action))
        };
        self.indexes.after(
            links(&[Action::Delete, Action::Replace]),
            links(&[Action::Create, Action::Replace]),
        );
        let applied = changes
            .iter()
            .zip(&results)
            .filter(|(_, r)| r.is_ok())
            .map(|(c, _)| c.id.clone())
            .collect();
        match results.into_iter().find_map(Result::err) {
            Some(error) => {
                Err(ProviderError::new(kind_of(&error), error.to_string()).with_applied(applied))
            }
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change_error::OpError;
    use aio_family::ids;

    #[test]
    fn a_failed_change_reaches_the_engine_with_its_kind_and_words() {
        let failed = |cause| ChangeError {
            action: Action::Update,
            id: ids::link("v1"),
            cause,
        };
        for (cause, kind) in [
            (OpError::NoMaster("br0".into()), ErrorKind::Conflict),
            (OpError::NoInterface("v1".into()), ErrorKind::Conflict),
            (OpError::CannotCreate(None), ErrorKind::Invalid),
            (OpError::NotAnAddress("x".into()), ErrorKind::Invalid),
        ] {
            let e = failed(cause);
            assert_eq!(kind_of(&e), kind, "{e}");
        }
        let mut refusal = rtnetlink::packet_core::ErrorMessage::default();
        for (errno, kind) in [(1, ErrorKind::Refused), (16, ErrorKind::Failed)] {
            refusal.code = std::num::NonZeroI32::new(-errno);
            let cause = OpError::Kernel(rtnetlink::Error::NetlinkError(refusal.clone()));
            assert_eq!(kind_of(&failed(cause)), kind, "errno {errno}");
        }
    }
}
