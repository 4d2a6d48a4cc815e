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
    /// The outer error: the namespace could not be entered; the inner one is the work's.
    async fn in_netns<T: Send + 'static, E: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, E> + Send + 'static,
    ) -> Result<Result<T, E>, ProviderError> {
        aio_netns::spawn_in(self.netns.clone(), f)
            .await
            .map_err(|e| ProviderError::unreachable(e.to_string()))
    }
}

#[async_trait]
impl Provider for NatProvider {
    fn name(&self) -> ProviderName {
        PROVIDER
    }

    async fn observe(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
        let table = self.in_netns(ruleset::list).await??;
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
        let found = self.in_netns(foreign::list).await??;
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
        let work = Work::of(changes).map_err(provider_error)?;
        match self.in_netns(move || work.run()).await? {
            Ok(()) => Ok(()),
            Err(e @ WorkError::Nothing(_)) => Err(provider_error(e)),
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
                Err(ProviderError::new(e.cause().kind(), message).with_applied(made))
            }
        }
    }
}

/// The engine's error for work that stopped: its cause's kind, its words.
fn provider_error(e: WorkError) -> ProviderError {
    ProviderError::new(e.cause().kind(), e.to_string())
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt;

    use aio_engine::ErrorKind;

    use super::*;
    use crate::NatError;

    #[test]
    fn work_that_stopped_has_its_causes_kind_and_says_whether_aios_rules_are_in_place() {
        let id = ResourceId::new(&crate::foreign::NFT_RULE, "ip/nat/POSTROUTING/4");
        let e = provider_error(WorkError::Nothing(NatError::ChangedSincePlan {
            id,
            why: "it reads `...`".into(),
        }));
        assert_eq!(e.kind(), ErrorKind::Conflict);
        assert_eq!(
            e.message,
            "nft-rule/ip/nat/POSTROUTING/4 changed since the plan (it reads `...`); nothing was changed"
        );

        let e = provider_error(WorkError::LegacyLeft(NatError::RestoreRefused {
            status: std::process::ExitStatus::from_raw(1 << 8),
            stderr: "no".into(),
        }));
        assert_eq!(e.kind(), ErrorKind::Failed);
        assert_eq!(
            e.message,
            "iptables-legacy-restore --noflush failed (exit status: 1): no; aio's own rules are in place and the old iptables-legacy rules were left as they were, so the traffic is still masqueraded"
        );
    }
}
