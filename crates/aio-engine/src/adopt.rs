//! Objects that are what the topology declares but that aio did not make.
//!
//! An ordinary plan leaves them alone and notes them (`adoptable`). An
//! adoption plan takes them over: each becomes an `Adopt` change, and
//! applying it records the object as aio's, so `destroy` removes it like
//! anything aio made. An object outside a provider's own that does the same
//! work ([`Foreign`]) is adopted in place of a missing one, and any more of
//! them are deleted as duplicates.

use indexmap::IndexMap;

use crate::observed::Observed;
use crate::plan::{Action, Change, Pending, Plan, Reason};
use crate::provider::{Foreign, Providers};
use crate::resource::{ProviderName, Resource, ResourceId};
use crate::state::State;

/// Every provider's foreign objects for `desired` (none from a provider
/// that could not observe).
pub(crate) async fn foreign(
    providers: &Providers,
    desired: &[Resource],
    plan: &Plan,
) -> Vec<Foreign> {
    let unseen = |r: &&Resource| !r.checked && !plan.unavailable.iter().any(|p| p.id == r.id);
    let mut wanted: IndexMap<&ProviderName, Vec<&Resource>> = IndexMap::new();
    for r in desired.iter().filter(unseen) {
        wanted.entry(&r.provider).or_default().push(r);
    }
    let found = futures::future::join_all(
        wanted
            .iter()
            .map(|(name, rs)| async move { providers[*name].foreign(rs).await }),
    )
    .await;
    found.into_iter().flatten().flatten().collect()
}

/// The resources that exist, are not aio's, and may be taken over.
fn unowned<'a>(
    providers: &'a Providers,
    desired: &'a [Resource],
    observed: &'a Observed,
    state: &'a State,
) -> impl Iterator<Item = &'a Resource> {
    desired.iter().filter(move |r| {
        !r.checked
            && observed.contains(&r.id)
            && !state.owns(&r.id)
            && providers[&r.provider].adoptable(r)
    })
}

/// Notes in `plan` what `aio adopt` would take over.
pub(crate) fn note(
    plan: &mut Plan,
    providers: &Providers,
    desired: &[Resource],
    observed: &Observed,
    state: &State,
    foreign: Vec<Foreign>,
) {
    for r in unowned(providers, desired, observed, state) {
        plan.adoptable.push(Pending {
            id: r.id.clone(),
            reason: Reason::NotOwned,
        });
    }
    for f in foreign {
        plan.adoptable.push(noted(f));
    }
}

/// How a plan notes a foreign object: one `aio adopt` takes over, or one it leaves alone.
fn noted(f: Foreign) -> Pending {
    let reason = match f.left_alone {
        Some(why) => Reason::LeftAlone { of: f.of, why },
        None => Reason::DoesTheWorkOf(f.of),
    };
    Pending { id: f.id, reason }
}

/// `plan` turned into the plan that takes over what it can, and nothing
/// else: unowned objects adopted (their updates are the next plan's; the
/// change shows how they differ), a missing object adopted from the first
/// foreign one doing its work, the other foreign ones deleted. Foreign
/// objects the provider leaves alone stay notes. What is missing or
/// different otherwise is left to `apply`.
pub(crate) fn adoption(
    mut plan: Plan,
    providers: &Providers,
    desired: &[Resource],
    observed: &Observed,
    state: &State,
    foreign: Vec<Foreign>,
) -> Plan {
    let mut adopt = adoptions(providers, desired, observed, state);
    let mut remove = Vec::new();
    let (untouched, foreign): (Vec<Foreign>, Vec<Foreign>) =
        foreign.into_iter().partition(|f| f.left_alone.is_some());
    plan.adoptable.extend(untouched.into_iter().map(noted));
    for f in foreign {
        // Always found: a provider reports foreign objects of its own resources.
        let Some(provider) = provider_of(desired, &f.of) else {
            continue;
        };
        remove.push(take_over(f, provider, &mut plan.changes, &mut adopt));
    }
    // Duplicates go first (deletions), then what is taken over.
    plan.changes = remove.into_iter().chain(adopt).collect();
    plan
}

/// The adoption of every unowned object that is what `desired` declares.
fn adoptions(
    providers: &Providers,
    desired: &[Resource],
    observed: &Observed,
    state: &State,
) -> Vec<Change> {
    unowned(providers, desired, observed, state)
        .map(|r| {
            let mut change = Change {
                id: r.id.clone(),
                provider: r.provider.clone(),
                action: Action::Adopt,
                before: observed.get(&r.id).cloned(),
                after: Some(r.attrs.clone()),
                deps: r.deps.clone(),
                detail: None,
            };
            // What taking it over does, where the provider says more than its id.
            change.detail = providers[&r.provider].describe(&change);
            change
        })
        .collect()
}

/// The deletion of foreign object `f` (of `provider`). When the resource
/// it does the work of is to be created (in `changes`), that creation
/// becomes an adoption (in `adopt`) that takes over from `f`; otherwise
/// `f` is a duplicate.
fn take_over(
    f: Foreign,
    provider: ProviderName,
    changes: &mut Vec<Change>,
    adopt: &mut Vec<Change>,
) -> Change {
    let by_id = |c: &Change| c.id == f.of;
    let detail = if adopt.iter().any(by_id) {
        format!("duplicate of {}", f.of)
    } else if let Some(i) = changes
        .iter()
        .position(|c| by_id(c) && c.action == Action::Create)
    {
        let create = changes.remove(i);
        adopt.push(Change {
            action: Action::Adopt,
            detail: Some(format!("taken over from {}", f.id).into()),
            ..create
        });
        format!("taken over by {}", f.of)
    } else {
        format!("duplicate of {}", f.of)
    };
    Change {
        id: f.id,
        provider,
        action: Action::Delete,
        before: Some(f.attrs),
        after: None,
        deps: Vec::new(),
        detail: Some(detail.into()),
    }
}

fn provider_of(desired: &[Resource], id: &ResourceId) -> Option<ProviderName> {
    desired
        .iter()
        .find(|r| r.id == *id)
        .map(|r| r.provider.clone())
}
