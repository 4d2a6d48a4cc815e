//! NAT as a provider family: `[[nat]]` as masquerade rules in aio's own nftables table.

use async_trait::async_trait;

use aio_engine::{Provider, ProviderName, ResourceId};
use aio_family::{Context, Family, FamilyError, Wanted};
use aio_topology::{Span, Topology};

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
}
