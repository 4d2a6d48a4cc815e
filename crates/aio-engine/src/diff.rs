//! Desired resources + what the providers observe -> a [`Plan`].
//!
//! A provider that cannot observe (its daemon is down) does not stop the
//! others: its resources, and everything that depends on them, are reported
//! as unavailable while the rest is planned. A change its provider says must
//! wait (for an object another resource creates) is reported as waiting,
//! and so is everything that depends on it.
//!
//! Ownership is checked against what was observed first: an object aio made
//! that is gone, or that was made again by someone else (its identity
//! changed), is released, shown in the plan as a note, never deleted.

use indexmap::IndexMap;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

use crate::error::PlanError;
use crate::graph::order;
use crate::observed::Observed;
use crate::plan::{Action, Change, Pending, Plan, Reason};
use crate::provider::{ProviderError, Providers};
use crate::resource::{Attrs, ProviderName, Resource, ResourceId};
use crate::state::{OwnedEntry, State};

#[derive(Clone, Copy, PartialEq)]
enum Held {
    Waiting,
    Unavailable,
}

/// The plan, and what was observed to make it. With a `scope`, only the
/// resources in it are observed and planned (the rest of `desired` is
/// still checked for consistency, and a dependency outside the scope is
/// taken as it is).
pub(crate) async fn diff(
    providers: &Providers,
    desired: &[Resource],
    state: &State,
    scope: Option<&BTreeSet<ResourceId>>,
) -> Result<(Plan, Observed), PlanError> {
    let inside = |id: &ResourceId| scope.is_none_or(|s| s.contains(id));
    let mut by_id: IndexMap<&ResourceId, &Resource> = IndexMap::new();
    for r in desired {
        if by_id.insert(&r.id, r).is_some() {
            return Err(PlanError::Duplicate(r.id.clone()));
        }
        known_provider(providers, &r.id, &r.provider)?;
    }
    for r in desired {
        if let Some(dep) = r.deps.iter().find(|d| !by_id.contains_key(d)) {
            return Err(PlanError::UnknownDependency {
                id: r.id.clone(),
                dep: dep.clone(),
            });
        }
    }
    // Within a scope, only its resources are ordered (a dependency outside
    // it is taken as it is); the whole graph was ordered by the full plan.
    let create_order = order(
        desired
            .iter()
            .filter(|r| inside(&r.id))
            .map(|r| (&r.id, r.deps.as_slice())),
    )?;
    let pruned: IndexMap<&ResourceId, &OwnedEntry> = state
        .owned
        .iter()
        .filter(|(id, _)| !by_id.contains_key(id) && inside(id))
        .collect();
    for (id, entry) in &pruned {
        known_provider(providers, id, &entry.provider)?;
    }
    let observed_desired: Vec<&Resource> = desired.iter().filter(|r| inside(&r.id)).collect();
    let (observed, failed) = observe(providers, &observed_desired, &pruned, scope.is_some()).await;
    let mut plan = Plan {
        scope: scope.map(|s| s.iter().cloned().collect()),
        ..Plan::default()
    };
    plan.released = released(state, &observed, &failed, &inside);
    // Copied only to drop what was released: a state of thousands of
    // entries is not copied for nothing on every event `watch` hears.
    let state = match plan.released.is_empty() {
        true => std::borrow::Cow::Borrowed(state),
        false => {
            let mut state = state.clone();
            for p in &plan.released {
                state.owned.remove(&p.id);
            }
            std::borrow::Cow::Owned(state)
        }
    };
    let state = state.as_ref();
    let pruned: IndexMap<&ResourceId, &OwnedEntry> = pruned
        .into_iter()
        .filter(|(id, _)| state.owns(id))
        .collect();
    let mut held: HashMap<ResourceId, Held> = HashMap::new();

    // Pruning first, dependents before what they depend on: sort with every
    // edge turned around (ties keep the state's order).
    let mut dependents: IndexMap<&ResourceId, Vec<ResourceId>> =
        pruned.keys().map(|id| (*id, Vec::new())).collect();
    for (id, entry) in &pruned {
        for dep in &entry.deps {
            if let Some(d) = dependents.get_mut(dep) {
                d.push((*id).clone());
            }
        }
    }
    for id in order(dependents.iter().map(|(id, ds)| (*id, ds.as_slice())))? {
        let entry = pruned[&id];
        if let Some(error) = failed.get(&entry.provider) {
            plan.unavailable.push(Pending {
                id,
                reason: unobservable(&entry.provider, error),
            });
        } else if let Some(before) = observed.get(&id) {
            let before = Some(before.clone());
            plan.changes.push(Change {
                id,
                provider: entry.provider.clone(),
                action: Action::Delete,
                before,
                after: None,
                deps: entry.deps.clone(),
                detail: None,
            });
        }
    }
    for id in create_order.into_iter().filter(|id| inside(id)) {
        let r = by_id[&id];
        // What cannot be observed yet because something this plan makes
        // provides it (OVSDB that Kolla's deploy starts) waits for that.
        let changing = |d: &ResourceId| {
            plan.changes.iter().any(|c| c.id == *d) || held.get(d) == Some(&Held::Waiting)
        };
        if failed.contains_key(&r.provider)
            && let Some(dep) = r.provided_by.as_ref().filter(|d| changing(d))
        {
            held.insert(id.clone(), Held::Waiting);
            plan.waiting.push(Pending {
                id,
                reason: Reason::WaitsFor(dep.clone()),
            });
            continue;
        }
        if let Some(error) = failed.get(&r.provider) {
            held.insert(id.clone(), Held::Unavailable);
            plan.unavailable.push(Pending {
                id,
                reason: unobservable(&r.provider, error),
            });
            continue;
        }
        if let Some((dep, how)) = r.deps.iter().find_map(|d| held.get(d).map(|h| (d, *h))) {
            held.insert(id.clone(), how);
            let pending = Pending {
                id,
                reason: Reason::WaitsFor(dep.clone()),
            };
            match how {
                Held::Waiting => plan.waiting.push(pending),
                Held::Unavailable => plan.unavailable.push(pending),
            }
            continue;
        }
        let Some(mut change) = compare(r, observed.get(&id), state)? else {
            continue;
        };
        if let Some(why) = providers[&r.provider].waiting(&change) {
            held.insert(id.clone(), Held::Waiting);
            plan.waiting.push(Pending {
                id,
                reason: Reason::NotYet(why),
            });
        } else {
            change.detail = providers[&r.provider].describe(&change);
            plan.changes.push(change);
        }
    }
    Ok((plan, observed))
}

/// What aio owns that is no longer its own: gone, or made again by someone
/// else. Entries whose provider could not look are kept.
fn released(
    state: &State,
    observed: &Observed,
    failed: &IndexMap<ProviderName, ProviderError>,
    inside: &dyn Fn(&ResourceId) -> bool,
) -> Vec<Pending> {
    let mut out = Vec::new();
    for (id, entry) in state.owned.iter().filter(|(id, _)| inside(id)) {
        if failed.contains_key(&entry.provider) {
            continue;
        }
        let reason = if !observed.contains(id) {
            Reason::Gone
        } else {
            match (&entry.identity, observed.identity(id)) {
                (Some(was), Some(now)) if was != now => Reason::Remade {
                    was: was.clone(),
                    now: now.clone(),
                },
                _ => continue,
            }
        };
        out.push(Pending {
            id: id.clone(),
            reason,
        });
    }
    out
}

fn known_provider(
    providers: &Providers,
    id: &ResourceId,
    provider: &ProviderName,
) -> Result<(), PlanError> {
    if providers.contains_key(provider) {
        Ok(())
    } else {
        Err(PlanError::NoProvider {
            id: id.clone(),
            provider: provider.clone(),
        })
    }
}

fn unobservable(provider: &ProviderName, error: &ProviderError) -> Reason {
    Reason::Unobservable {
        provider: provider.clone(),
        error: error.to_string(),
    }
}

/// What every provider sees of its resources, observed concurrently, and the
/// providers that could not observe. `scoped`: these are a few resources an
/// event named, not all of them.
async fn observe(
    providers: &Providers,
    desired: &[&Resource],
    pruned: &IndexMap<&ResourceId, &OwnedEntry>,
    scoped: bool,
) -> (Observed, IndexMap<ProviderName, ProviderError>) {
    let mut ids: IndexMap<&ProviderName, Vec<ResourceId>> = IndexMap::new();
    for r in desired {
        ids.entry(&r.provider).or_default().push(r.id.clone());
    }
    for (id, entry) in pruned {
        ids.entry(&entry.provider).or_default().push((*id).clone());
    }
    let results = futures::future::join_all(ids.iter().map(|(name, ids)| async move {
        let provider = &providers[*name];
        let observed = match scoped {
            true => provider.observe_within(ids).await,
            false => provider.observe(ids).await,
        };
        ((*name).clone(), observed)
    }))
    .await;
    let mut observed = Observed::new();
    let mut failed = IndexMap::new();
    for (name, result) in results {
        match result {
            Ok(o) => observed.extend(o),
            Err(e) => {
                failed.insert(name, e);
            }
        }
    }
    (observed, failed)
}

/// The change (if any) that makes `observed` match `r`.
fn compare(
    r: &Resource,
    observed: Option<&Attrs>,
    state: &State,
) -> Result<Option<Change>, PlanError> {
    let change = |action, before: Option<Attrs>| Change {
        id: r.id.clone(),
        provider: r.provider.clone(),
        action,
        before,
        after: Some(r.attrs.clone()),
        deps: r.deps.clone(),
        detail: None,
    };
    let Some(observed) = observed else {
        return Ok(Some(change(Action::Create, None)));
    };
    let before: Attrs = r
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
        let show = |attrs: &Attrs| {
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
