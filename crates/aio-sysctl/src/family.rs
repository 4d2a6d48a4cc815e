//! Sysctls as a provider family: `[sysctl]` read and written under
//! `/proc/sys`, and read every second for `aio watch`.

use async_trait::async_trait;
use tokio::sync::mpsc::UnboundedSender;

use aio_engine::{Provider, ProviderName, Resource, ResourceId};
use aio_family::{Context, Family, FamilyError, Touched, Wanted};
use aio_topology::{Span, Topology};

use crate::follow::{Followed, follow};
use crate::{PROVIDER, SYSCTL, SysctlProvider, resources};

/// The `sysctl` family.
pub struct Sysctls;

#[async_trait]
impl Family for Sysctls {
    fn name(&self) -> ProviderName {
        PROVIDER
    }

    fn wanted(&self, cx: Context<'_>) -> Result<Wanted, FamilyError> {
        let (resources, skipped) = resources(cx.topology, cx.netns.is_some());
        let notes = if skipped.is_empty() {
            Vec::new()
        } else {
            vec![format!(
                "in a network namespace only net.* sysctls are its own; left out: {}",
                skipped.join(", ")
            )]
        };
        Ok(Wanted { resources, notes })
    }

    async fn provider(&self, cx: Context<'_>) -> Result<Option<Box<dyn Provider>>, FamilyError> {
        let provider =
            SysctlProvider::new(cx.netns.map(str::to_string)).with_uplink(cx.facts.uplink.clone());
        Ok(Some(Box::new(provider)))
    }

    fn locate(&self, topology: &Topology, id: &ResourceId) -> Option<Span> {
        if !id.is(&SYSCTL) {
            return None;
        }
        topology
            .sysctl
            .iter()
            .find(|s| s.key.value == id.name())
            .map(|s| s.key.span.clone())
    }

    /// Each declared key whose value turns from the one wanted, read every
    /// second (the kernel announces no change of a sysctl).
    async fn follow(
        &self,
        cx: Context<'_>,
        resources: &[Resource],
        changed: UnboundedSender<Touched>,
    ) -> Result<(), FamilyError> {
        let followed = Followed::of(resources);
        if !followed.is_empty() {
            tokio::spawn(follow(cx.netns.map(str::to_string), followed, changed));
        }
        Ok(())
    }
}
