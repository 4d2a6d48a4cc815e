//! [`NetlinkProvider`]: the engine's view of links and addresses.

use async_trait::async_trait;
use rtnetlink::Handle;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

use aio_engine::{Action, Attrs, Change, Identity, Observed, Provider, ProviderError, ResourceId};

use crate::dump::{Link, Snapshot};
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
        }
    }
}

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
    /// knows, or one link dump when that may not do.
    async fn indexes_for(&self, changes: &[&Change]) -> Result<Arc<ops::Indexes>, ProviderError> {
        {
            let known = self
                .indexes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let mut names = changes.iter().flat_map(|c| ops::names_needed(c));
            let known_enough = !known.created || names.all(|n| known.by_name.contains_key(n));
            if !known.stale && known_enough {
                return Ok(known.by_name.clone());
            }
        }
        let snapshot = Snapshot::links_only(&self.handle)
            .await
            .map_err(|e| ProviderError::new(format!("netlink dump: {e}")))?;
        let fresh = Indexes::from(&snapshot);
        let by_name = fresh.by_name.clone();
        *self
            .indexes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
        Ok(by_name)
    }

    /// The interface a resource id is about: `link/NAME` or `address/NAME/CIDR`.
    fn interface_of(id: &ResourceId) -> &str {
        id.name().split('/').next().unwrap_or("")
    }

    fn touches_uplink(&self, id: &ResourceId) -> bool {
        self.is_protected(Self::interface_of(id))
    }

    fn is_protected(&self, name: &str) -> bool {
        self.protected.iter().any(|p| p == name)
    }
}

fn link_attrs(snapshot: &Snapshot, link: &Link) -> Attrs {
    let name = |index: Option<u32>| {
        index
            .and_then(|i| snapshot.name_of(i))
            .map_or(Value::Null, |n| json!(n))
    };
    let mut attrs = Attrs::with_capacity(5);
    attrs.insert(
        "kind".into(),
        link.kind.as_ref().map_or(Value::Null, |k| json!(k)),
    );
    let peer = if link.kind.as_deref() == Some("veth") {
        name(link.link)
    } else {
        Value::Null
    };
    attrs.insert("peer".into(), peer);
    attrs.insert("master".into(), name(link.master));
    attrs.insert("state".into(), json!(if link.up { "up" } else { "down" }));
    attrs.insert("mtu".into(), link.mtu.map_or(Value::Null, Value::from));
    attrs
}

/// A link is its kind and ifindex: a link of the same name made again gets a new index.
fn link_identity(link: &Link) -> Identity {
    Identity(format!(
        "{}#{}",
        link.kind.as_deref().unwrap_or("device"),
        link.index
    ))
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
        let mut out = Observed::new();
        for id in ids {
            match id.kind() {
                "link" => {
                    if let Some(l) = snapshot.link(id.name()) {
                        out.insert_identified(
                            id.clone(),
                            link_attrs(&snapshot, l),
                            link_identity(l),
                        );
                    }
                }
                "address" => {
                    let (iface, cidr) = id.name().split_once('/').unwrap_or_default();
                    let net = cidr.parse().ok();
                    let link = snapshot.link(iface);
                    if let Some(l) =
                        link.filter(|l| snapshot.addrs_of(l.index).any(|a| Some(a.net) == net))
                    {
                        let mut attrs = Attrs::with_capacity(2);
                        attrs.insert("interface".into(), json!(iface));
                        attrs.insert("address".into(), json!(cidr));
                        // An address is the link's: made again with it, it is another.
                        out.insert_identified(id.clone(), attrs, link_identity(l));
                    }
                }
                _ => {}
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
        Ok(out)
    }

    fn check(&self, change: &Change) -> Result<(), ProviderError> {
        if self.touches_uplink(&change.id) {
            return Err(ProviderError::new(
                "this would modify the uplink, which aio never does",
            ));
        }
        let Some(after) = &change.after else {
            return Ok(());
        };
        if change.id.kind() != "link" {
            return Ok(());
        }
        if change.action == Action::Create && !after.contains_key("kind") {
            return Err(ProviderError::new(format!(
                "interface \"{}\" does not exist, and without `type` aio does not create it: add `type` or create it first",
                change.id.name()
            )));
        }
        let snapshot = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(master) = after.get("master").and_then(Value::as_str) {
            let declared = change.deps.contains(&crate::resources::link_id(master));
            match snapshot.link(master) {
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
                .any(|c| c.id.kind() == "link" && actions.contains(&c.action))
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
