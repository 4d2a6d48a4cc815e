//! The Kolla deployment as a provider family: one resource, carried out by
//! kolla-ansible, after the links and addresses Kolla reads.

use async_trait::async_trait;

use aio_engine::{Provider, ResourceId};
use aio_family::{Context, Family, FamilyError, Wanted};
use aio_topology::{Span, Topology};

use crate::{Deployment, KollaProvider, PROVIDER, resource_id};

/// The `kolla` family: present when the topology has `[kolla]`.
pub struct Kolla;

#[async_trait]
impl Family for Kolla {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn wanted(&self, cx: Context<'_>) -> Result<Wanted, FamilyError> {
        let deployment = deployment(cx)?;
        Ok(deployment
            .iter()
            .map(Deployment::resource)
            .collect::<Vec<_>>()
            .into())
    }

    async fn provider(&self, cx: Context<'_>) -> Result<Option<Box<dyn Provider>>, FamilyError> {
        Ok(deployment(cx)?.map(|d| {
            let netns = cx.netns.map(str::to_string);
            Box::new(KollaProvider::new(d, cx.state_dir, netns)) as Box<dyn Provider>
        }))
    }

    fn locate(&self, topology: &Topology, id: &ResourceId) -> Option<Span> {
        let kolla = topology.kolla.as_ref()?;
        (*id == resource_id()).then(|| kolla.vip.span.clone())
    }

    /// Kolla's containers need the host's links first.
    fn after_host(&self) -> bool {
        true
    }
}

/// What the topology's `[kolla]` renders to, if it has one.
pub fn deployment(cx: Context<'_>) -> Result<Option<Deployment>, FamilyError> {
    Deployment::new(cx.topology, cx.facts).map_err(|fact| FamilyError::Missing {
        section: "[kolla]",
        fact,
    })
}
