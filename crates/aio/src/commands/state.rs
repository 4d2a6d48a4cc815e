//! `aio state list` and `aio state rm`: what aio owns, read from the state
//! dir alone (no topology, no system), and handing an object back to the
//! operator: aio forgets it and never deletes it (see `aio_host::owned`).

use std::time::Duration;

use aio_engine::ResourceId;
use aio_host::owned;

use crate::Failure;
use crate::cli::StateDir;

pub fn list(dir: &StateDir, json: bool) -> Result<u8, Failure> {
    let owned = owned::list(&dir.path()).map_err(aio_host::HostError::from)?;
    if json {
        let owned: Vec<serde_json::Value> = owned
            .iter()
            .map(|o| serde_json::json!({"id": o.id, "provider": o.provider, "identity": o.identity, "deps": o.deps}))
            .collect();
        outln!(
            "{:#}",
            serde_json::json!({"format_version": 1, "owned": owned})
        );
        return Ok(0);
    }
    for o in &owned {
        let identity = o
            .identity
            .as_ref()
            .map_or_else(|| "not seen yet".to_string(), ToString::to_string);
        outln!("{}  ({}, {identity})", o.id, o.provider);
    }
    outln!(
        "{} object(s) owned in {}",
        owned.len(),
        dir.path().display()
    );
    Ok(0)
}

pub fn rm(ids: &[String], dir: &StateDir, lock_timeout: Duration) -> Result<u8, Failure> {
    let ids = ids
        .iter()
        .map(|text| ResourceId::parse(text))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::Refused(e.to_string()))?;
    owned::release(&dir.path(), &ids, lock_timeout)?;
    for id in &ids {
        outln!("{id}: no longer aio's; left as it is");
    }
    Ok(0)
}
