//! Plan and apply: observe through the providers, diff, execute in order,
//! keep ownership in the state, verify.

use indexmap::IndexMap;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::batch::batches;
use crate::graph::{CycleError, order};
use crate::plan::{Action, Change, Plan};
use crate::provider::{Observed, Provider, ProviderError};
use crate::resource::{Resource, ResourceId};
use crate::state::{OwnedEntry, State, StateError};

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("resource {0} is declared twice")]
    Duplicate(ResourceId),
    #[error("resource {id} needs provider `{provider}`, which is not available")]
    NoProvider { id: ResourceId, provider: String },
    #[error(transparent)]
    Cycle(#[from] CycleError),
    #[error("cannot observe {provider}: {error}")]
    Observe {
        provider: String,
        error: ProviderError,
    },
    #[error(
        "{id} is in the way: it exists with {found}, the topology wants {wanted}; aio did not create it, so it will not replace it. Remove or rename it, or change the topology"
    )]
    InTheWay {
        id: ResourceId,
        found: String,
        wanted: String,
    },
    #[error("{id}: {error}")]
    Refused {
        id: ResourceId,
        error: ProviderError,
    },
    #[error(transparent)]
    State(#[from] StateError),
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{failed} failed after {applied} change(s) were applied: {error}")]
    Failed {
        applied: usize,
        failed: ResourceId,
        error: ProviderError,
    },
    #[error("apply did not converge; still different:\n{0}")]
    NotConverged(Plan),
    #[error("cannot verify: {0}")]
    Verify(#[from] PlanError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("cannot order the plan: {0}")]
    Order(#[from] CycleError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplyReport {
    pub applied: usize,
}

/// The reconciler: providers plug in by name; the engine knows none of them.
pub struct Engine {
    providers: IndexMap<String, Box<dyn Provider>>,
    state_dir: PathBuf,
}

impl Engine {
    pub fn new(state_dir: impl Into<PathBuf>) -> Self {
        Engine {
            providers: IndexMap::new(),
            state_dir: state_dir.into(),
        }
    }

    pub fn with_provider(mut self, provider: Box<dyn Provider>) -> Self {
        self.providers.insert(provider.name().to_string(), provider);
        self
    }

    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// What it takes to make the system match `desired`. Changes nothing.
    pub async fn plan(&self, desired: &[Resource]) -> Result<Plan, PlanError> {
        let state = State::load(&self.state_dir)?;
        let (plan, _) = self.diff(desired, &state).await?;
        for change in &plan.changes {
            self.providers[&change.provider]
                .check(change)
                .map_err(|error| PlanError::Refused {
                    id: change.id.clone(),
                    error,
                })?;
        }
        Ok(plan)
    }

    /// Carries out `plan`, then re-observes and fails unless the system now matches `desired`.
    pub async fn apply(
        &self,
        plan: &Plan,
        desired: &[Resource],
    ) -> Result<ApplyReport, ApplyError> {
        let mut state = State::load(&self.state_dir)?;
        let mut deleted = BTreeMap::new();
        let mut applied = 0;
        let atomic = |name: &str| self.providers.get(name).is_some_and(|p| p.atomic());
        for group in batches(&plan.changes, atomic)? {
            let provider = &self.providers[&group[0].provider];
            for c in group
                .iter()
                .filter(|c| matches!(c.action, Action::Create | Action::Replace))
            {
                // Recorded before creating: a crash in between leaves an owned
                // object, never an orphan aio would not dare to prune.
                state.owned.insert(
                    c.id.clone(),
                    OwnedEntry {
                        provider: c.provider.clone(),
                        deps: c.deps.clone(),
                    },
                );
            }
            state.save(&self.state_dir)?;
            if let Err(error) = provider.apply(&group).await {
                return Err(ApplyError::Failed {
                    applied,
                    failed: group[0].id.clone(),
                    error,
                });
            }
            applied += group.len();
            for c in group.iter().filter(|c| c.action == Action::Delete) {
                if let Some(entry) = state.owned.remove(&c.id) {
                    deleted.insert(c.id.clone(), entry);
                }
            }
            state.save(&self.state_dir)?;
        }
        // Verify against a state that still owns what was deleted, so a
        // deletion that did not happen shows up as a difference.
        let mut verify_state = state.clone();
        verify_state.owned.extend(deleted);
        let (left, _) = self.diff(desired, &verify_state).await?;
        if !left.is_empty() {
            return Err(ApplyError::NotConverged(left));
        }
        Ok(ApplyReport { applied })
    }

    /// Observes everything `desired` and the state name, and diffs.
    async fn diff(
        &self,
        desired: &[Resource],
        state: &State,
    ) -> Result<(Plan, Observed), PlanError> {
        let mut by_id: IndexMap<&ResourceId, &Resource> = IndexMap::new();
        for r in desired {
            if by_id.insert(&r.id, r).is_some() {
                return Err(PlanError::Duplicate(r.id.clone()));
            }
            if !self.providers.contains_key(&r.provider) {
                return Err(PlanError::NoProvider {
                    id: r.id.clone(),
                    provider: r.provider.clone(),
                });
            }
        }
        let create_order = order(desired.iter().map(|r| (&r.id, r.deps.as_slice())))?;
        let pruned: IndexMap<&ResourceId, &OwnedEntry> = state
            .owned
            .iter()
            .filter(|(id, _)| !by_id.contains_key(id))
            .collect();
        for (id, entry) in &pruned {
            if !self.providers.contains_key(&entry.provider) {
                return Err(PlanError::NoProvider {
                    id: (*id).clone(),
                    provider: entry.provider.clone(),
                });
            }
        }
        let observed = self.observe(desired, &pruned).await?;

        let mut changes = Vec::new();
        // Pruning first, dependents before what they depend on.
        let mut delete_order = order(pruned.iter().map(|(id, e)| (*id, e.deps.as_slice())))?;
        delete_order.reverse();
        for id in delete_order {
            if let Some(before) = observed.get(&id) {
                let entry = pruned[&id];
                changes.push(Change {
                    id,
                    provider: entry.provider.clone(),
                    action: Action::Delete,
                    before: Some(before.clone()),
                    after: None,
                    deps: entry.deps.clone(),
                });
            }
        }
        for id in create_order {
            let r = by_id[&id];
            if let Some(change) = compare(r, observed.get(&id), state)? {
                changes.push(change);
            }
        }
        Ok((
            Plan {
                format_version: 1,
                facts: IndexMap::new(),
                changes,
            },
            observed,
        ))
    }

    async fn observe(
        &self,
        desired: &[Resource],
        pruned: &IndexMap<&ResourceId, &OwnedEntry>,
    ) -> Result<Observed, PlanError> {
        let mut ids: IndexMap<&str, Vec<ResourceId>> = IndexMap::new();
        for r in desired {
            ids.entry(&r.provider).or_default().push(r.id.clone());
        }
        for (id, entry) in pruned {
            ids.entry(&entry.provider).or_default().push((*id).clone());
        }
        let results = futures::future::join_all(ids.iter().map(|(name, ids)| async move {
            let result = self.providers[*name].observe(ids).await;
            result.map_err(|error| PlanError::Observe {
                provider: name.to_string(),
                error,
            })
        }))
        .await;
        let mut all = Observed::new();
        for r in results {
            all.extend(r?);
        }
        Ok(all)
    }
}

/// The change (if any) that makes `observed` match `r`.
fn compare(
    r: &Resource,
    observed: Option<&crate::Attrs>,
    state: &State,
) -> Result<Option<Change>, PlanError> {
    let change = |action, before: Option<crate::Attrs>| Change {
        id: r.id.clone(),
        provider: r.provider.clone(),
        action,
        before,
        after: Some(r.attrs.clone()),
        deps: r.deps.clone(),
    };
    let Some(observed) = observed else {
        return Ok(Some(change(Action::Create, None)));
    };
    let before: crate::Attrs = r
        .attrs
        .keys()
        .map(|k| (k.clone(), observed.get(k).cloned().unwrap_or(Value::Null)))
        .collect();
    if before == r.attrs {
        return Ok(None);
    }
    let forced: Vec<&String> = r
        .replace_on
        .iter()
        .filter(|k| before.get(*k) != r.attrs.get(*k))
        .collect();
    if forced.is_empty() {
        return Ok(Some(change(Action::Update, Some(before))));
    }
    if !state.owns(&r.id) {
        let show = |attrs: &crate::Attrs| {
            forced
                .iter()
                .map(|k| format!("{k}={}", attrs.get(*k).unwrap_or(&Value::Null)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        return Err(PlanError::InTheWay {
            id: r.id.clone(),
            found: show(&before),
            wanted: show(&r.attrs),
        });
    }
    Ok(Some(change(Action::Replace, Some(before))))
}
