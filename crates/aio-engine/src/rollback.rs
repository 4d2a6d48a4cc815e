//! Undoing what a failed apply did, newest first: objects it created are
//! deleted, attributes it changed get their observed values back. Deletions
//! are not undone (what was deleted is gone), nor is anything of a provider
//! that says it cannot be reversed (a Kolla deploy).

use indexmap::IndexMap;
use std::sync::Arc;

use crate::attrs::Attrs;
use crate::observed::Observed;
use crate::plan::{Action, Change};
use crate::provider::{ProviderError, Providers};
use crate::resource::{ProviderName, ResourceId};

/// The change that undoes `c`, given what is there now (`now`: observed attributes).
fn undo(c: &Change, now: Option<&Attrs>) -> Option<Change> {
    let back = |action, before: Option<Attrs>, after| Change {
        id: c.id.clone(),
        provider: c.provider.clone(),
        action,
        before,
        after,
        deps: c.deps.clone(),
        detail: None,
    };
    match c.action {
        Action::Create | Action::Replace => {
            now.map(|n| back(Action::Delete, Some(n.clone()), None))
        }
        Action::Update => Some(back(
            Action::Update,
            c.after.as_deref().cloned(),
            c.before.clone().map(Arc::new),
        )),
        // Deleted objects are gone; an adopted one stays (only the claim is dropped).
        Action::Delete | Action::Adopt => None,
    }
}

/// Undoes `done` (in the order they were applied); returns what was undone.
pub(crate) async fn roll_back(
    providers: &Providers,
    done: &[&Change],
) -> Result<Vec<ResourceId>, ProviderError> {
    let reversible: Vec<&Change> = done
        .iter()
        .rev()
        .copied()
        .filter(|c| providers[&c.provider].reversible())
        .collect();
    // Observe again first: providers act on what is there now, and their
    // caches must know what this apply made.
    let mut ids: IndexMap<&ProviderName, Vec<ResourceId>> = IndexMap::new();
    for c in &reversible {
        ids.entry(&c.provider).or_default().push(c.id.clone());
    }
    let mut now = Observed::new();
    for (name, ids) in &ids {
        now.extend(providers[*name].observe(ids).await?);
    }
    let undos: Vec<Change> = reversible
        .iter()
        .filter_map(|c| undo(c, now.get(&c.id)))
        .collect();
    let mut undone = Vec::new();
    for c in &undos {
        providers[&c.provider].apply(&[c]).await?;
        undone.push(c.id.clone());
    }
    Ok(undone)
}
