//! [`NatProvider`]: observe and change aio's masquerade rules.

use aio_engine::{
    Action, Change, Foreign, Identity, Observed, Provider, ProviderError, Resource, ResourceId,
    TypedAttrs,
};
use async_trait::async_trait;

use crate::foreign::{self, Place};
use crate::ruleset::{self, NewRule};
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
            .map_err(|e| ProviderError::new(e.to_string()))?
            .map_err(ProviderError::new)
    }
}

fn new_rule(c: &Change) -> Option<NewRule> {
    let after = NatAttrs::from_attrs(c.after.as_ref()?).ok()?;
    let source: ipnet::Ipv4Net = after.source?.parse().ok()?;
    Some(NewRule {
        id: c.id.to_string(),
        addr: source.addr().to_string(),
        len: u32::from(source.prefix_len()),
        out: after.out?,
    })
}

#[async_trait]
impl Provider for NatProvider {
    fn name(&self) -> &str {
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
        let mut out = Vec::new();
        for r in wanted {
            let Ok(does) = NatAttrs::from_attrs(&r.attrs) else {
                continue;
            };
            for f in found
                .iter()
                .filter(|f| f.does.source == does.source && f.does.out == does.out)
            {
                out.push(Foreign {
                    id: f.id.clone(),
                    of: r.id.clone(),
                    attrs: f.does.to_attrs(),
                });
            }
        }
        Ok(out)
    }

    async fn apply(&self, changes: &[&Change]) -> Result<(), ProviderError> {
        for c in changes {
            tracing::info!("nat: {} {}", c.action.symbol(), c.id);
        }
        let ours = |c: &&&Change| c.id.is(&crate::NAT);
        // An adopted rule already in aio's table stays as it is; one taken
        // over from another table is made here, as the other goes.
        let makes = |c: &&&Change| match c.action {
            Action::Create | Action::Update | Action::Replace => true,
            Action::Adopt => c.before.is_none(),
            Action::Delete => false,
        };
        let deleted: Vec<String> = changes
            .iter()
            .filter(ours)
            .filter(|c| matches!(c.action, Action::Delete | Action::Update | Action::Replace))
            .map(|c| c.id.to_string())
            .collect();
        let added: Vec<NewRule> = changes
            .iter()
            .filter(ours)
            .filter(makes)
            .filter_map(|c| new_rule(c))
            .collect();
        let mut theirs = Vec::new();
        let mut legacy = Vec::new();
        for c in changes.iter().filter(|c| c.action == Action::Delete) {
            match (Place::of(&c.id), &c.before) {
                (
                    Some(Place::Nft {
                        family,
                        table,
                        chain,
                        handle,
                    }),
                    _,
                ) => {
                    let family = serde_json::from_value(serde_json::Value::String(family))
                        .map_err(|e| ProviderError::new(format!("{}: {e}", c.id)))?;
                    theirs.push((family, table, chain, handle));
                }
                (Some(Place::Legacy { chain }), Some(does)) => legacy.push((chain, does.clone())),
                _ => {}
            }
        }
        self.in_netns(move || {
            for (chain, does) in &legacy {
                foreign::delete_legacy(chain, does)?;
            }
            // Handles are read again now: they are what `nft` deletes by.
            // Every rule carrying a changed id goes (copies included).
            let current = ruleset::list()?;
            let handles: Vec<u32> = deleted
                .iter()
                .filter_map(|id| current.rules.get(id))
                .flatten()
                .map(|r| r.handle)
                .collect();
            let kept = current
                .rules
                .keys()
                .filter(|id| !deleted.contains(id))
                .count();
            // The table goes only when nothing is left in it, aio's or anyone's.
            let empty = kept + added.len() == 0 && current.foreign == 0;
            let batch = ruleset::batch(&handles, &added, empty, &theirs);
            tracing::debug!(
                "nft batch: {}",
                serde_json::to_string(&batch).unwrap_or_default()
            );
            ruleset::apply(&batch)
        })
        .await
    }
}
