//! What aio owns, read from the state dir alone (no topology, no system),
//! and handing objects back to the operator: aio forgets them and never
//! deletes them (`aio state list`, `aio state rm`).

use std::path::Path;
use std::time::Duration;

use aio_engine::{
    Identity, LockError, OwnedEntry, ProviderName, ResourceId, State, StateError, StateLock,
};

/// One object aio owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned {
    pub id: ResourceId,
    pub provider: ProviderName,
    /// What identified it when aio last made or changed it; `None` until it
    /// was observed after its creation.
    pub identity: Option<Identity>,
    pub deps: Vec<ResourceId>,
}

/// Why objects are not handed back.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// Nothing is changed when one of the objects is not aio's.
    #[error("aio does not own {0} (see `aio state list`); nothing was changed")]
    NotOwned(ResourceId),
    #[error("{0}")]
    State(#[from] StateError),
    #[error("{0}")]
    Lock(#[from] LockError),
}

fn owned(id: &ResourceId, entry: &OwnedEntry) -> Owned {
    Owned {
        id: id.clone(),
        provider: entry.provider.clone(),
        identity: entry.identity.clone(),
        deps: entry.deps.clone(),
    }
}

/// Everything aio owns according to `state_dir`, by id.
pub fn list(state_dir: &Path) -> Result<Vec<Owned>, StateError> {
    let state = State::load(state_dir)?;
    Ok(state.owned.iter().map(|(id, e)| owned(id, e)).collect())
}

/// Forgets `ids`, all or none, under the state dir's lock (waiting up to
/// `lock_timeout`): aio no longer owns them and will never delete them.
pub fn release(
    state_dir: &Path,
    ids: &[ResourceId],
    lock_timeout: Duration,
) -> Result<(), ReleaseError> {
    let _lock = StateLock::acquire(state_dir, lock_timeout)?;
    let mut state = State::load(state_dir)?;
    if let Some(id) = ids.iter().find(|id| !state.owns(id)) {
        return Err(ReleaseError::NotOwned(id.clone()));
    }
    for id in ids {
        state.owned.remove(id);
    }
    Ok(state.save(state_dir)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn id(text: &str) -> ResourceId {
        ResourceId::parse(text).unwrap()
    }

    fn state_with(dir: &Path, ids: &[&str]) {
        let mut state = State::default();
        for text in ids {
            state.owned.insert(
                id(text),
                std::sync::Arc::new(OwnedEntry {
                    provider: "netlink".into(),
                    deps: Vec::new(),
                    identity: None,
                }),
            );
        }
        state.save(dir).unwrap();
    }

    #[test]
    fn released_objects_are_no_longer_listed_and_the_rest_are() {
        let dir = tempfile::tempdir().unwrap();
        state_with(dir.path(), &["link/a", "link/b", "link/c"]);
        release(dir.path(), &[id("link/a"), id("link/c")], Duration::ZERO).unwrap();
        let left: Vec<ResourceId> = list(dir.path())
            .unwrap()
            .into_iter()
            .map(|o| o.id)
            .collect();
        assert_eq!(left, [id("link/b")]);
    }

    #[test]
    fn one_object_not_owned_releases_none() {
        let dir = tempfile::tempdir().unwrap();
        state_with(dir.path(), &["link/a"]);
        let error = release(dir.path(), &[id("link/a"), id("link/z")], Duration::ZERO);
        assert!(matches!(error, Err(ReleaseError::NotOwned(ref i)) if *i == id("link/z")));
        assert_eq!(list(dir.path()).unwrap().len(), 1);
    }
}
