//! Links and addresses as a provider family: resources from `[interfaces]`,
//! a provider on one netlink socket, and the kernel's announcements.

use std::collections::HashSet;

use async_trait::async_trait;
use tokio::sync::mpsc::UnboundedSender;

use aio_engine::{Provider, Resource, ResourceId};
use aio_family::{Context, Family, FamilyError, Wanted};
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
        changed: UnboundedSender<()>,
    ) -> Result<(), FamilyError> {
        let names: HashSet<String> = resources
            .iter()
            .filter_map(|r| NetId::of(&r.id))
            .map(|n| n.interface().to_string())
            .collect();
        let mut announced = events(cx.netns).await.map_err(unreachable)?;
        let handle = connect(cx.netns).await.map_err(unreachable)?;
        let mut ours: HashSet<u32> = match Snapshot::take(&handle).await {
            Ok(s) => s
                .links
                .iter()
                .filter(|l| names.contains(&l.name))
                .map(|l| l.index)
                .collect(),
            Err(_) => HashSet::new(),
        };
        tokio::spawn(async move {
            while let Some(event) = announced.recv().await {
                // A link of ours made again gets a new index: learn it from its name.
                let relevant = match &event {
                    Event::Link { index, name } => {
                        let named = name.as_ref().is_some_and(|n| names.contains(n));
                        if named {
                            ours.insert(*index);
                        }
                        named || ours.contains(index)
                    }
                    Event::Address { index } => ours.contains(index),
                };
                if relevant && changed.send(()).is_err() {
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
