//! [`NatProvider`]: observe and change aio's masquerade rules.

use aio_engine::{
    Change, Foreign, Identity, Observed, Provider, ProviderError, ProviderName, Resource,
    ResourceId, TypedAttrs,
};
use async_trait::async_trait;

use crate::apply::{Work, WorkError};
use crate::foreign;
use crate::ruleset;
use crate::{NatAttrs, PROVIDER};

pub struct NatProvider {
    netns: Option<String>,
}

impl NatProvider {
    /// Works on the nftables of network namespace `netns` (or the caller's).
    pub fn new(netns: Option<String>) -> Self {
        NatProvider { netns }
    }

    /// Runs `nft` work in the namespace: child processes inherit the thread's.
    async fn in_netns<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, String> + Send + 'static,
    ) -> Result<T, ProviderError> {
        aio_netns::spawn_in(self.netns.clone(), f)
            .await
            .map_err(|e| ProviderError::unreachable(e.to_string()))?
            .map_err(ProviderError::unreachable)
    }
}

#[async_trait]
impl Provider for NatProvider {
    fn name(&self) -> ProviderName {
        PROVIDER
    }

    async fn observe(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
        let table = self.in_netns(ruleset::list).await?;
        let mut out = Observed::new();
        for id in ids {
            let Some(rules) = table.rules.get(&id.to_string()).filter(|r| !r.is_empty()) else {
                continue;
            };
            // What the first rule does, and how many carry this id: a copy is drift.
            let first = &rules[0];
            let attrs = NatAttrs {
                source: first.source.clone(),
                out: first.out.clone(),
                statement: first.statement.clone(),
                rules: rules.len(),
            }
            .to_attrs();
            out.insert_identified(
                id.clone(),
                attrs,
                Identity(format!("handle {}", first.handle)),
            );
        }
        Ok(out)
    }

    fn atomic(&self) -> bool {
        true
    }

    async fn foreign(&self, wanted: &[&Resource]) -> Result<Vec<Foreign>, ProviderError> {
        let found = self.in_netns(foreign::list).await?;
        let mut out: Vec<Foreign> = Vec::new();
        for r in wanted {
            let Ok(NatAttrs {
                source: Some(source),
                out: Some(iface),
                ..
            }) = NatAttrs::from_attrs(&r.attrs)
            else {
                continue;
            };
            for f in found.iter().filter(|f| f.looks_like(&source, &iface)) {
                let left_alone =
                    (!f.is_installers(&source, &iface)).then(|| f.why_not(&source, &iface));
                // A rule left alone is shown once, beside the first entry it looks like.
                if left_alone.is_some() && out.iter().any(|o| o.id == f.id) {
                    continue;
                }
                out.push(Foreign {
                    id: f.id.clone(),
                    of: r.id.clone(),
                    attrs: f.does().to_attrs(),
                    left_alone,
                });
            }
        }
        Ok(out)
    }

    async fn apply(&self, changes: &[&Change]) -> Result<(), ProviderError> {
        for c in changes {
            tracing::info!("nat: {} {}", c.action.symbol(), c.id);
        }
        let work = Work::of(changes).map_err(|e| ProviderError::invalid(e.to_string()))?;
        let done = aio_netns::spawn_in(self.netns.clone(), move || work.run())
            .await
            .map_err(|e| ProviderError::unreachable(e.to_string()))?;
        match done {
            Ok(()) => Ok(()),
            Err(e @ WorkError::Nothing(_)) => Err(ProviderError::failed(e.to_string())),
            // aio's transaction took effect: what it carried out is applied.
            Err(e @ WorkError::LegacyLeft(_)) => {
                let (made, left) = Work::split(changes);
                let names = |ids: &[ResourceId]| {
                    ids.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let message = format!(
                    "{e} (applied: {}; not applied: {})",
                    names(&made),
                    names(&left)
                );
                Err(ProviderError::failed(message).with_applied(made))
            }
        }
    }
}
