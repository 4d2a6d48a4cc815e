//! OVS as a provider family: `[ovs]` through OVSDB, and its monitor for `aio watch`.

use async_trait::async_trait;
use tokio::sync::mpsc::UnboundedSender;

use aio_engine::{Provider, ProviderName, Resource, ResourceId};
use aio_family::{Context, Family, FamilyError, Touched, Wanted};
use aio_ovsdb::Address;
use aio_topology::{OvsDb, Span, Topology};

use crate::id::OvsId;
use crate::{OvsProvider, PROVIDER, follow, resources};

/// The `ovs` family: present when the topology has `[ovs]`.
pub struct Ovs;

/// Where the file says OVSDB is.
pub fn address(db: &OvsDb) -> Address {
    match db {
        OvsDb::Unix(path) => Address::Unix(path.into()),
        OvsDb::Tcp { host, port } => Address::Tcp {
            host: host.clone(),
            port: *port,
        },
    }
}

#[async_trait]
impl Family for Ovs {
    fn name(&self) -> ProviderName {
        PROVIDER
    }

    fn wanted(&self, cx: Context<'_>) -> Result<Wanted, FamilyError> {
        Ok(resources(cx.topology).into())
    }

    fn wanted_from_topology(&self, topology: &Topology) -> Option<Wanted> {
        Some(resources(topology).into())
    }

    async fn provider(&self, cx: Context<'_>) -> Result<Option<Box<dyn Provider>>, FamilyError> {
        Ok(cx
            .topology
            .ovs
            .as_ref()
            .map(|ovs| Box::new(OvsProvider::new(address(&ovs.db))) as Box<dyn Provider>))
    }

    fn locate(&self, topology: &Topology, id: &ResourceId) -> Option<Span> {
        let ovs = topology.ovs.as_ref()?;
        match OvsId::of(id)? {
            // A bridge's table has no span of its own: the error names the bridge.
            OvsId::Bridge(_) => None,
            OvsId::Port(port) => ovs
                .bridges
                .get(&port.bridge)?
                .ports
                .get(&port.port)
                .map(|p| p.name_span.clone()),
        }
    }

    async fn follow(
        &self,
        cx: Context<'_>,
        resources: &[Resource],
        changed: UnboundedSender<Touched>,
    ) -> Result<(), FamilyError> {
        if let Some(ovs) = &cx.topology.ovs {
            // An update names rows, not resources: every one of ours is looked at
            // (one OVSDB transaction, and no other provider is asked).
            let ours: Touched = resources
                .iter()
                .filter(|r| r.provider == PROVIDER)
                .map(|r| r.id.clone())
                .collect();
            tokio::spawn(follow(address(&ovs.db), ours, changed));
        }
        Ok(())
    }
}
