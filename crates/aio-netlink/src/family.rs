//! Links and addresses as a provider family: resources from `[interfaces]`,
//! a provider on one netlink socket, and the kernel's announcements.

use std::collections::HashMap;

use async_trait::async_trait;
use tokio::sync::mpsc::UnboundedSender;

use aio_engine::{Provider, Resource, ResourceId};
use aio_family::{Context, Family, FamilyError, Touched, Wanted};
use aio_topology::{Span, Topology};

use crate::id::NetId;
use crate::{Event, NetlinkProvider, PROVIDER, Snapshot, connect, events, resources};

/// The `netlink` family.
pub struct Links;

#[async_trait]
impl Family for Links {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn wanted(&self, cx: Context<'_>) -> Result<Wanted, FamilyError> {
        Ok(resources(cx.topology).into())
    }

    async fn provider(&self, cx: Context<'_>) -> Result<Option<Box<dyn Provider>>, FamilyError> {
        let handle = connect(cx.netns).await.map_err(unreachable)?;
        let mut protected: Vec<String> =
            cx.facts.protected.iter().map(|p| p.name.clone()).collect();
        protected.extend(cx.facts.uplink.clone());
        Ok(Some(Box::new(NetlinkProvider::new(handle, protected))))
    }

    fn locate(&self, topology: &Topology, id: &ResourceId) -> Option<Span> {
        match NetId::of(id)? {
            NetId::Link(name) => topology.interfaces.get(name).map(|i| i.name_span.clone()),
            NetId::Address { interface, cidr } => topology
                .interfaces
                .get(interface)?
                .addresses
                .iter()
                .find(|a| a.value.to_string() == cidr)
                .map(|a| a.span.clone()),
        }
    }

    async fn follow(
        &self,
        cx: Context<'_>,
        resources: &[Resource],
        changed: UnboundedSender<Touched>,
    ) -> Result<(), FamilyError> {
        // Each interface's resources: the link and its addresses.
        let mut by_name: HashMap<String, Vec<ResourceId>> = HashMap::new();
        for r in resources {
            if let Some(n) = NetId::of(&r.id) {
                by_name
                    .entry(n.interface().to_string())
                    .or_default()
                    .push(r.id.clone());
            }
        }
        let by_name: HashMap<String, Touched> = by_name
            .into_iter()
            .map(|(name, ids)| (name, Touched::from(ids)))
            .collect();
        let mut announced = events(cx.netns).await.map_err(unreachable)?;
        let handle = connect(cx.netns).await.map_err(unreachable)?;
        // Our links by index, as address events name only the index.
        let mut ours: HashMap<u32, Touched> = match Snapshot::take(&handle).await {
            Ok(s) => s
                .links
                .iter()
                .filter_map(|l| Some((l.index, by_name.get(&l.name)?.clone())))
                .collect(),
            Err(_) => HashMap::new(),
        };
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

fn unreachable(e: crate::NetlinkError) -> FamilyError {
    FamilyError::Unreachable(e.to_string())
}
