//! Sysctls as a provider family: `[sysctl]` read and written under `/proc/sys`.

use async_trait::async_trait;

use aio_engine::{Provider, ProviderName, ResourceId};
use aio_family::{Context, Family, FamilyError, Wanted};
use aio_topology::{Span, Topology};

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
}
