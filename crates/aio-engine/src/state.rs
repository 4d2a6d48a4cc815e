//! What aio created, kept in `<state-dir>/state.json` so that pruning deletes
//! only aio's own objects. Written atomically (temp file, fsync, rename).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::observed::Identity;
use crate::resource::ResourceId;

const FILE: &str = "state.json";

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not an aio state file: {source}", path.display())]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A resource aio created, with what is needed to delete it in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedEntry {
    pub provider: String,
    #[serde(default)]
    pub deps: Vec<ResourceId>,
    /// What identified the object when aio last made or changed it; `None`
    /// until it has been observed after its creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    pub owned: BTreeMap<ResourceId, OwnedEntry>,
}

impl State {
    /// The state in `dir`, empty if there is none yet.
    pub fn load(dir: &Path) -> Result<State, StateError> {
        let path = dir.join(FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|source| StateError::Corrupt { path, source }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State {
                version: 1,
                ..State::default()
            }),
            Err(source) => Err(StateError::Read { path, source }),
        }
    }

    pub fn save(&self, dir: &Path) -> Result<(), StateError> {
        let path = dir.join(FILE);
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(dir)?;
            let mut tmp = tempfile_in(dir)?;
            // One write: serde_json writes every token on its own.
            let mut text = serde_json::to_vec_pretty(self)?;
            text.push(b'\n');
            tmp.1.write_all(&text)?;
            tmp.1.sync_all()?;
            std::fs::rename(&tmp.0, &path)?;
            std::fs::File::open(dir)?.sync_all()
        };
        write().map_err(|source| StateError::Write { path, source })
    }

    pub fn owns(&self, id: &ResourceId) -> bool {
        self.owned.contains_key(id)
    }
}

/// A new file beside the state, mode 0600, unique to this process.
fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = dir.join(format!(".{FILE}.{}.tmp", std::process::id()));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)?;
    Ok((path, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_starts_empty() {
        let dir = tempfile::tempdir().unwrap();
        let empty = State::load(dir.path()).unwrap();
        assert!(empty.owned.is_empty());
        let mut s = empty.clone();
        s.owned.insert(
            ResourceId::new("link", "br0"),
            OwnedEntry {
                provider: "netlink".into(),
                deps: vec![],
                identity: Some(Identity("bridge#4".into())),
            },
        );
        s.save(dir.path()).unwrap();
        assert_eq!(State::load(dir.path()).unwrap(), s);
    }

    #[test]
    fn corrupt_state_is_an_error_not_an_empty_state() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), "{nope").unwrap();
        assert!(matches!(
            State::load(dir.path()),
            Err(StateError::Corrupt { .. })
        ));
    }
}
