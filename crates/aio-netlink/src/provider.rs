//! [`NetlinkProvider`]: the engine's view of links and addresses.

use async_trait::async_trait;
use rtnetlink::Handle;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use aio_engine::{
    Action, Attrs, Change, Identity, Observed, Provider, ProviderError, Resource, ResourceId,
    TypedAttrs,
};

use crate::dump::{Link, Snapshot};
use crate::id::{AddressAttrs, LINK, LinkAttrs, LinkState, NetId, link_id};
use crate::ops;
use crate::resources::PROVIDER;

pub struct NetlinkProvider {
    handle: Handle,
    /// The uplink and every interface with a default route: never modified,
    /// whatever a change says.
    protected: Vec<String>,
    /// What the last observe saw, for `check`.
    last: Mutex<Snapshot>,
    /// Link names to indexes, for apply: from the last observe, then from
    /// a link dump when a batch names a link they do not know after earlier
    /// batches created links, or after links were deleted.
    indexes: Mutex<Indexes>,
}

#[derive(Default)]
struct Indexes {
    /// Shared with the batch being applied: no copy per batch.
    by_name: Arc<ops::Indexes>,
    /// Links were deleted since: an index may be gone (with a veth, its peer's too).
    stale: bool,
    /// Links were created since: a name they do not know may exist now.
    created: bool,
    /// Only some links were observed: a name they do not know may exist.
    partial: bool,
}

impl Indexes {
    fn from(snapshot: &Snapshot) -> Indexes {
        Indexes {
            by_name: Arc::new(
                snapshot
                    .links
                    .iter()
                    .map(|l| (l.name.clone(), l.index))
                    .collect(),
            ),
            stale: false,
            created: false,
            partial: snapshot.partial,
        }
    }
}

/// At most this many links are asked for one by one; more are dumped.
const FEW: usize = 16;

impl NetlinkProvider {
    /// A provider that never modifies the `protected` interfaces.
    pub fn new(handle: Handle, protected: Vec<String>) -> Self {
        NetlinkProvider {
            handle,
            protected,
            last: Mutex::new(Snapshot::default()),
            indexes: Mutex::new(Indexes::default()),
        }
    }

    /// Indexes of every link `changes` name that exists: what the provider
    /// knows, those it does not asked for by name when they are few, else
    /// one link dump.
    async fn indexes_for(&self, changes: &[&Change]) -> Result<Arc<ops::Indexes>, ProviderError> {
        let failed = |e| ProviderError::new(format!("netlink dump: {e}"));
        let (known, unsure) = {
            let known = self
                .indexes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let names = changes.iter().flat_map(|c| ops::names_needed(c));
            let unsure: BTreeSet<&str> = match known.created || known.partial {
                true => names.filter(|n| !known.by_name.contains_key(*n)).collect(),
                // Every link was seen: one it does not know does not exist.
                false => BTreeSet::new(),
            };
            if !known.stale && unsure.is_empty() {
                return Ok(known.by_name.clone());
            }
            (known.by_name.clone(), (!known.stale).then_some(unsure))
        };
        let fresh = match unsure {
            Some(names) if names.len() <= FEW => {
                let found = Snapshot::of_links(&self.handle, &names)
                    .await
                    .map_err(failed)?;
                let mut by_name = ops::Indexes::clone(&known);
                by_name.extend(found.links.iter().map(|l| (l.name.clone(), l.index)));
                let mut fresh = Indexes::from(&found);
                fresh.by_name = Arc::new(by_name);
                fresh
            }
            _ => Indexes::from(&Snapshot::links_only(&self.handle).await.map_err(failed)?),
        };
        let by_name = fresh.by_name.clone();
        *self
            .indexes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
        Ok(by_name)
    }

    fn touches_uplink(&self, id: &ResourceId) -> bool {
        NetId::of(id).is_some_and(|n| self.is_protected(n.interface()))
    }

    fn is_protected(&self, name: &str) -> bool {
        self.protected.iter().any(|p| p == name)
    }

    /// What `snapshot` shows of `ids`; the snapshot is kept for `check` and
    /// its indexes for apply.
    fn keep(&self, snapshot: Snapshot, ids: &[ResourceId]) -> Observed {
        let mut out = Observed::new();
        for id in ids {
            match NetId::of(id) {
                Some(NetId::Link(name)) => {
                    if let Some(l) = snapshot.link(name) {
                        out.insert_identified(
                            id.clone(),
                            link_attrs(&snapshot, l),
                            link_identity(l),
                        );
                    }
                }
                Some(NetId::Address {
                    interface: iface,
                    cidr,
                }) => {
                    let net = cidr.parse().ok();
                    let link = snapshot.link(iface);
                    if let Some(l) =
                        link.filter(|l| snapshot.addrs_of(l.index).any(|a| Some(a.net) == net))
                    {
                        let attrs = AddressAttrs {
                            interface: iface.to_string(),
                            address: cidr.to_string(),
                        }
                        .to_attrs();
                        // An address is the link's: made again with it, it is another.
                        out.insert_identified(id.clone(), attrs, link_identity(l));
                    }
                }
                None => {}
            }
        }
        *self
            .indexes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Indexes::from(&snapshot);
        *self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = snapshot;
        out
    }
}

fn link_attrs(snapshot: &Snapshot, link: &Link) -> Attrs {
    let name = |index: Option<u32>| index.and_then(|i| snapshot.name_of(i)).map(str::to_string);
    let veth = link.kind.as_deref() == Some("veth");
    LinkAttrs {
        kind: link.kind.clone(),
        peer: if veth { name(link.link) } else { None },
        master: name(link.master),
        state: Some(if link.up {
            LinkState::Up
        } else {
            LinkState::Down
        }),
        mtu: link.mtu,
    }
    .live()
}

/// A link is its kind, its ifindex and aio's mark: a link of the same name
/// made again gets a new index, or, if given the same one, has no mark.
fn link_identity(link: &Link) -> Identity {
    crate::mark::identity(link.kind.as_deref(), link.index, link.alias.as_deref())
}

#[async_trait]
impl Provider for NetlinkProvider {
    fn name(&self) -> &str {
        PROVIDER
    }

    async fn observe(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
        let snapshot = Snapshot::take(&self.handle)
            .await
            .map_err(|e| ProviderError::new(format!("netlink dump: {e}")))?;
        Ok(self.keep(snapshot, ids))
    }

    /// A few links are asked for by name (with the links they name and
    /// every address); more are dumped.
    async fn observe_within(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
        let names: BTreeSet<&str> = ids
            .iter()
            .filter_map(NetId::of)
            .map(|n| n.interface())
            .collect();
        let snapshot = match names.len() <= FEW {
            true => Snapshot::of_links(&self.handle, &names).await,
            false => Snapshot::take(&self.handle).await,
        }
        .map_err(|e| ProviderError::new(format!("netlink: {e}")))?;
        Ok(self.keep(snapshot, ids))
    }

    /// An update (master, state, MTU) changes the link in place: its index stays.
    fn keeps_identity(&self) -> bool {
        true
    }

    /// Links aio would create (a bridge, a veth) and addresses; never a NIC.
    fn adoptable(&self, wanted: &Resource) -> bool {
        match NetId::of(&wanted.id) {
            Some(NetId::Link(name)) => {
                wanted.attrs.contains_key("kind") && !self.is_protected(name)
            }
            Some(NetId::Address { interface, .. }) => !self.is_protected(interface),
            None => false,
        }
    }

    fn check(&self, change: &Change) -> Result<(), ProviderError> {
        if self.touches_uplink(&change.id) {
            return Err(ProviderError::new(
                "this would modify the uplink, which aio never does",
            ));
        }
        let (Some(after), Some(NetId::Link(_))) = (&change.after, NetId::of(&change.id)) else {
            return Ok(());
        };
        let after = LinkAttrs::from_attrs(after)
            .map_err(|e| ProviderError::new(format!("{}: {e}", change.id)))?;
        if change.action == Action::Create && after.kind.is_none() {
            return Err(ProviderError::new(format!(
                "interface \"{}\" does not exist, and without `type` aio does not create it: add `type` or create it first",
                change.id.name()
            )));
        }
        let snapshot = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(master) = after.master.as_deref() {
            let declared = change.deps.contains(&link_id(master));
            match snapshot.link(master) {
                // Not asked for: the kernel refuses a missing master itself.
                None if snapshot.partial => {}
                None if !declared => {
                    return Err(ProviderError::new(format!(
                        "master \"{master}\" does not exist and is not declared"
                    )));
                }
                Some(l) if l.kind.as_deref() != Some("bridge") && !declared => {
                    return Err(ProviderError::new(format!(
                        "master \"{master}\" is not a bridge"
                    )));
                }
                _ if self.is_protected(master) => {
                    return Err(ProviderError::new("the uplink cannot be a master"));
                }
                _ => {}
            }
        }
        Ok(())
    }

    async fn apply(&self, changes: &[&Change]) -> Result<(), ProviderError> {
        if let Some(c) = changes.iter().find(|c| self.touches_uplink(&c.id)) {
            return Err(ProviderError::new(format!(
                "{} would modify the uplink, which aio never does",
                c.id
            )));
        }
        let indexes = self.indexes_for(changes).await?;
        // Independent changes: all in flight at once over the one socket.
        let results = futures::future::join_all(
            changes
                .iter()
                .map(|c| ops::apply(&self.handle, &indexes, c)),
        )
        .await;
        let links = |actions: &[Action]| {
            changes
                .iter()
                .any(|c| c.id.is(&LINK) && actions.contains(&c.action))
        };
        let (deleted, created) = (
            links(&[Action::Delete, Action::Replace]),
            links(&[Action::Create, Action::Replace]),
        );
        {
            let mut known = self
                .indexes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            known.stale |= deleted;
            known.created |= created;
        }
        let applied = changes
            .iter()
            .zip(&results)
            .filter(|(_, r)| r.is_ok())
            .map(|(c, _)| c.id.clone())
            .collect();
        match results.into_iter().find_map(Result::err) {
            Some(error) => Err(ProviderError::new(error).with_applied(applied)),
            None => Ok(()),
        }
    }
}
