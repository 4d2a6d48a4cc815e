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
use std::collections::{BTreeSet, HashMap};

use crate::attrs::Attrs;
use crate::conflict::Conflict;
use crate::error::PlanError;
use crate::graph::{IdMap, order};
use crate::observed::Observed;
use crate::plan::{Action, Change, Pending, Plan, Reason};
use crate::provider::{ProviderError, Providers};
use crate::resource::{ProviderName, Resource, ResourceId};
use crate::state::{OwnedEntry, State};

#[derive(Clone, Copy, PartialEq)]
enum Held {
    Waiting,
    Unavailable,
}

/// The plan, and what was observed to make it. With a `scope`, only the
/// resources in it are observed and planned, and only their entries of
/// the state are read: the whole of `desired` was checked by the full plan
/// made first (ids unique, dependencies declared), and a dependency outside
/// the scope is taken as it is. A scope's plan costs what the scope holds,
/// not what the topology holds (`aio watch` makes one per event).
pub(crate) async fn diff(
    providers: &Providers,
    desired: &[Resource],
    state: &State,
    scope: Option<&BTreeSet<ResourceId>>,
) -> Result<(Plan, Observed), PlanError> {
    let (by_id, entries): (
        IdMap<&ResourceId, &Resource>,
        Vec<(&ResourceId, &OwnedEntry)>,
    ) = match scope {
        None => (
            consistent(providers, desired)?,
            state.owned.iter().map(|(id, e)| (id, &**e)).collect(),
        ),
        Some(scope) => (
            within(providers, desired, scope)?,
            scope
                .iter()
                .filter_map(|id| state.owned.get_key_value(id))
                .map(|(id, e)| (id, &**e))
                .collect(),
        ),
    };
    // Within a scope, only its resources are ordered (a dependency outside
    // it is taken as it is); the whole graph was ordered by the full plan.
    let create_order = order(by_id.values().map(|r| (&r.id, r.deps.as_slice())))?;
    let pruned: IndexMap<&ResourceId, &OwnedEntry> = entries
        .iter()
        .filter(|(id, _)| !by_id.contains_key(id))
        .copied()
        .collect();
    for (id, entry) in &pruned {
        known_provider(providers, id, &entry.provider)?;
    }
    let observed_desired: Vec<&Resource> = by_id.values().copied().collect();
    let (observed, failed) = observe(providers, &observed_desired, &pruned, scope.is_some()).await;
    let mut plan = Plan {
        scope: scope.map(|s| s.iter().cloned().collect()),
        ..Plan::default()
    };
    plan.released = released(&entries, &observed, &failed);
    let owned = Owned::after(state, &plan.released);
    let pruned: IndexMap<&ResourceId, &OwnedEntry> = pruned
        .into_iter()
        .filter(|(id, _)| owned.owns(id))
        .collect();
    let mut planning = Planning {
        providers,
        observed: &observed,
        failed: &failed,
        held: HashMap::new(),
        plan,
    };
    planning.prune(&pruned)?;
    for id in create_order {
        planning.make(by_id[&id], &owned)?;
    }
    // Grown one change at a time: up to half of it unused room, kept for
    // the whole apply otherwise.
    planning.plan.changes.shrink_to_fit();
    Ok((planning.plan, observed))
}

/// The resources of `desired` in `scope`, by id, each with a provider here.
fn within<'a>(
    providers: &Providers,
    desired: &'a [Resource],
    scope: &BTreeSet<ResourceId>,
) -> Result<IdMap<&'a ResourceId, &'a Resource>, PlanError> {
    let mut by_id = IdMap::default();
    for r in desired.iter().filter(|r| scope.contains(&r.id)) {
        known_provider(providers, &r.id, &r.provider)?;
        by_id.insert(&r.id, r);
    }
    Ok(by_id)
}

/// What aio owns once a plan's releases are dropped: the state's claims
/// less the released ones. Not a copy of the state: at thousands of
/// entries, copying it for one released object was most of a repair.
struct Owned<'a> {
    state: &'a State,
    released: BTreeSet<ResourceId>,
}

impl<'a> Owned<'a> {
    fn after(state: &'a State, released: &[Pending]) -> Owned<'a> {
        Owned {
            state,
            released: released.iter().map(|p| p.id.clone()).collect(),
        }
    }

    fn owns(&self, id: &ResourceId) -> bool {
        self.state.owns(id) && !self.released.contains(id)
    }
}

/// `desired` by id, once each is declared once, has a provider here, and
/// depends only on desired resources.
fn consistent<'a>(
    providers: &Providers,
    desired: &'a [Resource],
) -> Result<IdMap<&'a ResourceId, &'a Resource>, PlanError> {
    let mut by_id: IdMap<&ResourceId, &Resource> = IdMap::default();
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
    Ok(by_id)
}

/// A plan being made from what was observed.
struct Planning<'a> {
    providers: &'a Providers,
    observed: &'a Observed,
    /// The providers that could not observe, and why.
    failed: &'a IndexMap<ProviderName, ProviderError>,
    /// What is held back, and how: what depends on it is held the same way.
    held: HashMap<ResourceId, Held>,
    plan: Plan,
}

impl Planning<'_> {
    /// Deletes what aio owns that is no longer desired: dependents before
    /// what they depend on (sorted with every edge turned around; ties keep
    /// the state's order).
    fn prune(&mut self, pruned: &IndexMap<&ResourceId, &OwnedEntry>) -> Result<(), PlanError> {
        let mut dependents: IndexMap<&ResourceId, Vec<ResourceId>> =
            pruned.keys().map(|id| (*id, Vec::new())).collect();
        for (id, entry) in pruned {
            for dep in &entry.deps {
                if let Some(d) = dependents.get_mut(dep) {
                    d.push((*id).clone());
                }
            }
        }
        for id in order(dependents.iter().map(|(id, ds)| (*id, ds.as_slice())))? {
            let entry = pruned[&id];
            if let Some(error) = self.failed.get(&entry.provider) {
                self.plan.unavailable.push(Pending {
                    id,
                    reason: unobservable(&entry.provider, error),
                });
            } else if let Some(before) = self.observed.get(&id) {
                let before = Some(before.clone());
                self.plan.changes.push(Change {
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
        Ok(())
    }

    /// The change that makes `r` what it declares, unless it is held back
    /// (waiting, or unavailable) or nothing differs.
    fn make(&mut self, r: &Resource, owned: &Owned<'_>) -> Result<(), PlanError> {
        if self.held_back(r) {
            return Ok(());
        }
        if r.checked {
            let found = self.observed.get(&r.id);
            let conflict = found.and_then(|f| Conflict::between(&r.id, &r.provider, &r.attrs, f));
            self.plan.conflicts.extend(conflict);
            return Ok(());
        }
        let Some(mut change) = compare(r, self.observed.get(&r.id), owned)? else {
            return Ok(());
        };
        let provider = &self.providers[&r.provider];
        match provider.waiting(&change) {
            Some(why) => self.hold(&r.id, Held::Waiting, Reason::NotYet(why)),
            None => {
                change.detail = provider.describe(&change);
                self.plan.changes.push(change);
            }
        }
        Ok(())
    }

    /// Whether `r` is held back, before it is compared: its provider could
    /// not observe (it waits when what this plan makes provides it), or it
    /// depends on something held back.
    fn held_back(&mut self, r: &Resource) -> bool {
        if let Some(error) = self.failed.get(&r.provider) {
            // What cannot be observed yet because something this plan makes
            // provides it (OVSDB that Kolla's deploy starts) waits for that.
            let changing = |d: &ResourceId| {
                self.plan.changes.iter().any(|c| c.id == *d)
                    || self.held.get(d) == Some(&Held::Waiting)
            };
            match r.provided_by.as_ref().filter(|d| changing(d)) {
                Some(dep) => self.hold(&r.id, Held::Waiting, Reason::WaitsFor(dep.clone())),
                None => self.hold(&r.id, Held::Unavailable, unobservable(&r.provider, error)),
            }
            return true;
        }
        let held = |d: &ResourceId| self.held.get(d).map(|h| (d.clone(), *h));
        match r.deps.iter().find_map(held) {
            Some((dep, how)) => {
                self.hold(&r.id, how, Reason::WaitsFor(dep));
                true
            }
            None => false,
        }
    }

    fn hold(&mut self, id: &ResourceId, how: Held, reason: Reason) {
        self.held.insert(id.clone(), how);
        let pending = Pending {
            id: id.clone(),
            reason,
        };
        match how {
            Held::Waiting => self.plan.waiting.push(pending),
            Held::Unavailable => self.plan.unavailable.push(pending),
        }
    }
}

/// What aio owns (of `entries`) that is no longer its own: gone, or made
/// again by someone else. Entries whose provider could not look are kept.
fn released(
    entries: &[(&ResourceId, &OwnedEntry)],
    observed: &Observed,
    failed: &IndexMap<ProviderName, ProviderError>,
) -> Vec<Pending> {
    let mut out = Vec::new();
    for (id, entry) in entries {
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
            id: (*id).clone(),
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
    owned: &Owned<'_>,
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
    // Compared in place first: a converged plan copies nothing.
    if r.attrs.iter().all(|(k, v)| observed[k] == *v) {
        return Ok(None);
    }
    let before: Attrs = r.attrs.keys().map(|k| (k, observed[k].clone())).collect();
    let forced: Vec<&str> = r
        .replace_on
        .iter()
        .copied()
        .filter(|k| before.get(k) != r.attrs.get(k))
        .collect();
    if forced.is_empty() {
        return Ok(Some(change(Action::Update, Some(before))));
    }
    if !owned.owns(&r.id) {
        let show = |attrs: &Attrs| {
            forced
                .iter()
                .map(|k| format!("{k}={}", attrs[*k]))
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
