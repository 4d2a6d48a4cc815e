//! Links and addresses as a provider family: the facts netlink knows,
//! resources from `[interfaces]`, a provider on the run's one netlink
//! connection, and the kernel's announcements.

use std::collections::HashMap;

use async_trait::async_trait;
use rtnetlink::Handle;
use tokio::sync::mpsc::UnboundedSender;

use aio_engine::{Provider, ProviderName, Resource, ResourceId};
use aio_family::{Context, Family, FamilyError, FamilyErrorKind, Probe, Shared, Touched, Wanted};
use aio_topology::{Facts, Span, Topology};

use crate::connection::shared;
use crate::dump::Snapshot;
use crate::error::NetlinkError;
use crate::events::{Event, events};
use crate::facts::{Seen, facts};
use crate::id::NetId;
use crate::name::PROVIDER;
use crate::primed::Primed;
use crate::provider::NetlinkProvider;
use crate::resources::resources;

/// The `netlink` family.
pub struct Links;

#[async_trait]
impl Family for Links {
    fn name(&self) -> ProviderName {
        PROVIDER
    }

    /// Every link, address and default route, dumped while the file is parsed.
    async fn prefetch(&self, netns: Option<&str>, shared_slots: &Shared) {
        let Ok(handle) = shared(shared_slots, netns).await else {
            return;
        };
        if let Ok(seen) = Seen::take(&handle, netns).await {
            shared_slots.put(Primed::new(netns, seen));
        }
    }

    /// The uplink, its addresses and gateway, the interfaces a default route
    /// goes through, every link name.
    async fn facts(&self, probe: Probe<'_>, out: &mut Facts) -> Result<(), FamilyError> {
        let handle = shared(probe.shared, probe.netns)
            .await
            .map_err(FamilyError::unreachable)?;
        let prefetched = probe
            .shared
            .get::<Primed<Seen>>()
            .filter(|p| p.is_of(probe.netns))
            .and_then(|p| p.take());
        let seen = match prefetched {
            Some(seen) => seen,
            None => Seen::take(&handle, probe.netns)
                .await
                .map_err(facts_error)?,
        };
        let (found, snapshot) = facts(seen, probe.uplink).map_err(facts_error)?;
        probe.shared.put(Primed::new(probe.netns, snapshot));
        out.uplink = found.uplink;
        out.uplink_address = found.uplink_address;
        out.uplink_prefix = found.uplink_prefix;
        out.gateway = found.gateway;
        out.uplink_addresses = found.uplink_addresses;
        out.protected = found.protected;
        out.existing = found.existing;
        Ok(())
    }

    fn wanted(&self, cx: Context<'_>) -> Result<Wanted, FamilyError> {
        Ok(resources(cx.topology).into())
    }

    fn wanted_from_topology(&self, topology: &Topology) -> Option<Wanted> {
        Some(resources(topology).into())
    }

    async fn provider(&self, cx: Context<'_>) -> Result<Option<Box<dyn Provider>>, FamilyError> {
        let handle = shared(cx.shared, cx.netns)
            .await
            .map_err(FamilyError::unreachable)?;
        let mut protected: Vec<String> =
            cx.facts.protected.iter().map(|p| p.name.clone()).collect();
        protected.extend(cx.facts.uplink.clone());
        let primed = cx.shared.get::<Primed>().filter(|p| p.is_of(cx.netns));
        Ok(Some(Box::new(
            NetlinkProvider::new(handle, protected)
                .primed(primed)
                .in_netns(cx.netns),
        )))
    }

    fn locate(&self, topology: &Topology, id: &ResourceId) -> Option<Span> {
        match NetId::of(id)? {
            NetId::Link(link) => topology
                .interfaces
                .get(link.name())
                .map(|i| i.name_span.clone()),
            NetId::Address(address) => topology
                .interfaces
                .get(&address.iface)?
                .addresses
                .iter()
                .find(|a| a.value == address.cidr)
                .map(|a| a.span.clone()),
        }
    }

    async fn follow(
        &self,
        cx: Context<'_>,
        resources: &[Resource],
        changed: UnboundedSender<Touched>,
    ) -> Result<(), FamilyError> {
        let by_name = by_interface(resources);
        let everything: Touched = by_name
            .values()
            .flat_map(|ids| ids.iter().cloned())
            .collect();
        let mut announced = events(cx.netns).await.map_err(FamilyError::unreachable)?;
        let handle = shared(cx.shared, cx.netns)
            .await
            .map_err(FamilyError::unreachable)?;
        let netns = cx.netns.map(str::to_string);
        let mut ours = by_index(&handle, netns.as_deref(), &by_name).await;
        tokio::spawn(async move {
            while let Some(event) = announced.recv().await {
                // A link of ours made again gets a new index: learn it from its name.
                let touched = match &event {
                    Event::Link { index, name } => {
                        match name.as_ref().and_then(|n| by_name.get(n)) {
                            Some(ids) => {
                                ours.insert(*index, ids.clone());
                                Some(ids.clone())
                            }
                            None => ours.get(index).cloned(),
                        }
                    }
                    Event::Address { index } => ours.get(index).cloned(),
                    // Whatever was lost, every link and address of ours is
                    // looked at, and their indexes learnt anew.
                    Event::Lost => {
                        tracing::debug!("netlink: announcements lost, all of ours looked at");
                        ours = by_index(&handle, netns.as_deref(), &by_name).await;
                        Some(everything.clone())
                    }
                };
                if let Some(ids) = touched
                    && changed.send(ids).is_err()
                {
                    return;
                }
            }
        });
        Ok(())
    }
}

/// Our links by index, as address events name only the index.
async fn by_index(
    handle: &Handle,
    netns: Option<&str>,
    by_name: &HashMap<String, Touched>,
) -> HashMap<u32, Touched> {
    match Snapshot::take(handle, netns).await {
        Ok(s) => s
            .links
            .iter()
            .filter_map(|l| Some((l.index, by_name.get(&l.name)?.clone())))
            .collect(),
        Err(_) => HashMap::new(),
    }
}

/// Each interface's resources among `resources`: the link and its addresses.
fn by_interface(resources: &[Resource]) -> HashMap<String, Touched> {
    let mut by_name: HashMap<String, Vec<ResourceId>> = HashMap::new();
    for r in resources {
        if let Some(n) = NetId::of(&r.id) {
            by_name
                .entry(n.interface().to_string())
                .or_default()
                .push(r.id.clone());
        }
    }
    by_name
        .into_iter()
        .map(|(name, ids)| (name, Touched::from(ids)))
        .collect()
}

/// No default route, or no such uplink, is a fact the system does not
/// give; anything else means netlink could not be asked.
fn facts_error(e: NetlinkError) -> FamilyError {
    let kind = match e {
        NetlinkError::NoDefaultRoute | NetlinkError::NoUplink(_) => FamilyErrorKind::MissingFact,
        _ => FamilyErrorKind::Unreachable,
    };
    FamilyError::from_source(kind, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fact_the_system_does_not_give_is_told_from_netlink_out_of_reach() {
        for (e, kind) in [
            (NetlinkError::NoDefaultRoute, FamilyErrorKind::MissingFact),
            (
                NetlinkError::NoUplink("ens9".into()),
                FamilyErrorKind::MissingFact,
            ),
            (
                NetlinkError::Socket(std::io::Error::from(std::io::ErrorKind::PermissionDenied)),
                FamilyErrorKind::Unreachable,
            ),
        ] {
            let words = e.to_string();
            let family = facts_error(e);
            assert_eq!(family.kind(), kind, "{words}");
            assert_eq!(family.to_string(), words);
            assert!(family.source_as::<NetlinkError>().is_some(), "{words}");
        }
        let no_route = facts_error(NetlinkError::NoDefaultRoute);
        assert!(matches!(
            no_route.source_as::<NetlinkError>(),
            Some(NetlinkError::NoDefaultRoute)
        ));
    }
}
