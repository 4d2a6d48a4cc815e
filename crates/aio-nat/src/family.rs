//! NAT as a provider family: `[[nat]]` as masquerade rules in aio's own
//! nftables table, and nftables' events about that table for `aio watch`.

use async_trait::async_trait;
use tokio::sync::mpsc::UnboundedSender;

use aio_engine::{Provider, ProviderName, Resource, ResourceId};
use aio_family::{Context, Family, FamilyError, Touched, Wanted};
use aio_topology::{Span, Topology};

use crate::events::events;
use crate::{NatId, NatProvider, PROVIDER, resources};

/// The `nat` family.
pub struct Nat;

#[async_trait]
impl Family for Nat {
    fn name(&self) -> ProviderName {
        PROVIDER
    }

    fn wanted(&self, cx: Context<'_>) -> Result<Wanted, FamilyError> {
        let resources = resources(cx.topology, cx.facts)
            .map_err(|fact| FamilyError::missing("[[nat]]", fact))?;
        Ok(resources.into())
    }

    async fn provider(&self, cx: Context<'_>) -> Result<Option<Box<dyn Provider>>, FamilyError> {
        Ok(Some(Box::new(NatProvider::new(
            cx.netns.map(str::to_string),
        ))))
    }

    fn locate(&self, topology: &Topology, id: &ResourceId) -> Option<Span> {
        let id = NatId::try_from(id).ok()?;
        topology
            .nat
            .iter()
            .find(|n| n.source == id.source)
            .map(|n| n.out.span.clone())
    }

    /// Every rule of aio's at each change nftables announces in table `ip
    /// aio` (its own applies too: the next look finds nothing to do). Without
    /// the events, the periodic check still finds the drift.
    async fn follow(
        &self,
        cx: Context<'_>,
        resources: &[Resource],
        changed: UnboundedSender<Touched>,
    ) -> Result<(), FamilyError> {
        let ours: Touched = resources
            .iter()
            .filter(|r| r.provider == PROVIDER)
            .map(|r| r.id.clone())
            .collect();
        if ours.is_empty() {
            return Ok(());
        }
        let mut announced = match events(cx.netns).await {
            Ok(announced) => announced,
            Err(e) => {
                tracing::warn!("nat: {e}; drift of the NAT rules is found by the periodic check");
                return Ok(());
            }
        };
        tokio::spawn(async move {
            while announced.recv().await.is_some() {
                if changed.send(ours.clone()).is_err() {
                    return;
                }
            }
        });
        Ok(())
    }
}
