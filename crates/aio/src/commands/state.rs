//! `aio state list` and `aio state rm`: what aio owns, read from the state
//! dir alone (no topology, no system), and handing an object back to the
//! operator: aio forgets it and never deletes it.

use std::time::Duration;

use aio_engine::{ResourceId, State, StateLock};

use crate::Failure;
use crate::cli::StateDir;

pub fn list(dir: &StateDir, json: bool) -> Result<u8, Failure> {
    let state = State::load(&dir.path()).map_err(aio_host::HostError::from)?;
    if json {
        let owned: Vec<serde_json::Value> = state
            .owned
            .iter()
            .map(|(id, e)| serde_json::json!({"id": id, "provider": e.provider, "identity": e.identity, "deps": e.deps}))
            .collect();
        outln!(
            "{:#}",
            serde_json::json!({"format_version": 1, "owned": owned})
        );
        return Ok(0);
    }
    for (id, entry) in &state.owned {
        let identity = entry
            .identity
            .as_ref()
            .map_or_else(|| "not seen yet".to_string(), ToString::to_string);
        outln!("{id}  ({}, {identity})", entry.provider);
    }
    outln!(
        "{} object(s) owned in {}",
        state.owned.len(),
        dir.path().display()
    );
    Ok(0)
}

pub fn rm(ids: &[String], dir: &StateDir, lock_timeout: Duration) -> Result<u8, Failure> {
    let path = dir.path();
    let _lock = StateLock::acquire(&path, lock_timeout).map_err(aio_host::HostError::from)?;
    let mut state = State::load(&path).map_err(aio_host::HostError::from)?;
    let mut wanted = Vec::new();
    for text in ids {
        let id = ResourceId::parse(text).map_err(|e| Failure::Refused(e.to_string()))?;
        if !state.owns(&id) {
            return Err(Failure::Refused(format!(
                "aio does not own {id} (see `aio state list`); nothing was changed"
            )));
        }
        wanted.push(id);
    }
    for id in &wanted {
        state.owned.remove(id);
    }
    state.save(&path).map_err(aio_host::HostError::from)?;
    for id in &wanted {
        outln!("{id}: no longer aio's; left as it is");
    }
    Ok(0)
}
