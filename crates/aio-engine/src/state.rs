//! What aio created, kept in `<state-dir>/state.json` so that pruning deletes
//! only aio's own objects. Written atomically (see `aio_fs::write_atomic`),
//! mode 0600 in a 0700 directory; never read through a symlink.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::observed::Identity;
use crate::plan::Pending;
use crate::resource::{ProviderName, ResourceId};

const FILE: &str = "state.json";
/// The state dir: aio's alone.
pub const DIR_MODE: u32 = 0o700;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read the state: {0}")]
    Read(aio_fs::FsError),
    #[error(
        "{} is not an aio state file ({source}): restore it from a backup; moving it away makes aio forget what it made (it then deletes nothing)",
        path.display()
    )]
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
    pub provider: ProviderName,
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
    /// Shared entries: the state is copied whole by every apply (its
    /// working copy, what it last wrote), and holds thousands of them.
    pub owned: BTreeMap<ResourceId, Arc<OwnedEntry>>,
}

impl State {
    /// The state in `dir`, empty if there is none yet.
    pub fn load(dir: &Path) -> Result<State, StateError> {
        let path = dir.join(FILE);
        match aio_fs::read_bounded(&path, aio_fs::Bound::STATE) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|source| StateError::Corrupt { path, source }),
            Err(e) if e.is_not_found() => Ok(State {
                version: 1,
                ..State::default()
            }),
            Err(e) => Err(StateError::Read(e)),
        }
    }

    pub fn save(&self, dir: &Path) -> Result<(), StateError> {
        let path = dir.join(FILE);
        let write = || -> std::io::Result<()> {
            aio_fs::private_dir(dir, DIR_MODE).map_err(std::io::Error::other)?;
            aio_fs::write_atomic_with(&path, 0o600, |out| self.write_to(out))
        };
        write().map_err(|source| StateError::Write { path, source })
    }

    /// The file's text: JSON with one owned object per line, so a person
    /// can still read and grep it, at two thirds the size of pretty-printed
    /// JSON and less time to write (`aio watch` writes it on every repair,
    /// and at ten thousand bridges it is megabytes), written to `out` as it
    /// goes rather than built whole first.
    fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        out.write_all(b"{\n  \"version\": ")?;
        serde_json::to_writer(&mut *out, &self.version)?;
        out.write_all(b",\n  \"owned\": {")?;
        for (i, (id, entry)) in self.owned.iter().enumerate() {
            out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
            serde_json::to_writer(&mut *out, id)?;
            out.write_all(b": ")?;
            serde_json::to_writer(&mut *out, entry)?;
        }
        match self.owned.is_empty() {
            true => out.write_all(b"}\n}\n"),
            false => out.write_all(b"\n  }\n}\n"),
        }
    }

    pub fn owns(&self, id: &ResourceId) -> bool {
        self.owned.contains_key(id)
    }

    /// Drops the claims a plan released (objects gone, or made again by
    /// someone else); whether any of them was held.
    pub fn release(&mut self, released: &[Pending]) -> bool {
        let before = self.owned.len();
        for p in released {
            self.owned.remove(&p.id);
        }
        self.owned.len() != before
    }

    /// Removes `id`'s entry from a shared state, which is copied only if it
    /// holds one (a copy of thousands of entries for nothing otherwise).
    pub fn forget_shared(state: &mut Arc<State>, id: &ResourceId) -> Option<Arc<OwnedEntry>> {
        match state.owns(id) {
            true => Arc::make_mut(state).owned.remove(id),
            false => None,
        }
    }

    /// [`State::release`] on a shared state, through [`State::forget_shared`].
    pub fn release_shared(state: &mut Arc<State>, released: &[Pending]) -> bool {
        let mut any = false;
        for p in released {
            any |= State::forget_shared(state, &p.id).is_some();
        }
        any
    }
}

/// The state as an apply last wrote it, so that it writes only what changed.
///
/// Two applies of one process may run at once (`aio watch` repairs the
/// host's plumbing while Kolla's deployment runs), each with its own copy.
/// A write therefore lays this apply's own changes since its last write over
/// the state as it is now, never its whole copy: what the other wrote stays.
/// When nobody else wrote, the copy written is the one the cache keeps (one
/// copy per write, not two).
pub(crate) struct Saved<'a> {
    /// This apply's state when it last wrote: its changes are what differs from it.
    mine: Arc<State>,
    /// What it wrote then (`mine`, with what other applies had written).
    written: Arc<State>,
    cache: &'a Cached,
}

impl<'a> Saved<'a> {
    pub(crate) fn new(on_disk: Arc<State>, cache: &'a Cached) -> Saved<'a> {
        Saved {
            mine: on_disk.clone(),
            written: on_disk,
            cache,
        }
    }

    /// Writes what `state` changed since the last write. Called when it
    /// changed: comparing thousands of entries to find out costs as much
    /// as the write.
    pub(crate) fn save(&mut self, state: &Arc<State>, dir: &Path) -> Result<(), StateError> {
        let now = self.cache.shared(dir)?;
        let mine = state.clone();
        // Nothing to lay the changes over: with no file yet (the first
        // apply), the state read now is a new empty one each time, and
        // the merge would be a second copy of every entry, kept until the
        // next write.
        let nothing_under = now.owned.is_empty() && self.mine.owned.is_empty();
        let merged = if Arc::ptr_eq(&now, &self.written) || nothing_under {
            mine.clone()
        } else {
            Arc::new(now.with_changes(&self.mine, state))
        };
        merged.save(dir)?;
        self.cache.keep(dir, merged.clone());
        self.mine = mine;
        self.written = merged;
        Ok(())
    }
}

impl State {
    /// This state with the changes that took `from` to `to`: entries `to`
    /// added or changed are set, entries it dropped are removed, the rest
    /// is left as it is here.
    fn with_changes(&self, from: &State, to: &State) -> State {
        let mut out = self.clone();
        out.version = to.version;
        for id in from.owned.keys().filter(|id| !to.owned.contains_key(*id)) {
            out.owned.remove(id);
        }
        for (id, entry) in &to.owned {
            if from.owned.get(id) != Some(entry) {
                out.owned.insert(id.clone(), entry.clone());
            }
        }
        out
    }
}

/// The state file as this process last read or wrote it, so that a
/// long-running `aio watch` does not parse it again on every event (at a
/// thousand objects that is most of a repair). It is read again as soon as
/// the file is another: any writer replaces it (a new inode).
#[derive(Debug, Default)]
pub(crate) struct Cached(std::sync::Mutex<Option<(Stamp, Arc<State>)>>);

/// What tells one state file from the next.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime_ns: i128,
}

impl Stamp {
    fn of(dir: &Path) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::symlink_metadata(dir.join(FILE)).ok()?;
        Some(Stamp {
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        })
    }
}

impl Cached {
    /// The state in `dir`, to read: what was kept if the file is
    /// unchanged, else read.
    pub(crate) fn shared(&self, dir: &Path) -> Result<Arc<State>, StateError> {
        let stamp = Stamp::of(dir);
        if let (Some(now), Some((then, state))) = (&stamp, &*self.lock())
            && now == then
        {
            return Ok(state.clone());
        }
        let state = Arc::new(State::load(dir)?);
        // Stamped before reading: if the file was replaced in between, the
        // stamp is the old file's and the next load reads it again.
        *self.lock() = stamp.map(|s| (s, state.clone()));
        Ok(state)
    }

    /// The state in `dir`, to change.
    pub(crate) fn load(&self, dir: &Path) -> Result<State, StateError> {
        Ok(State::clone(&*self.shared(dir)?))
    }

    /// Keeps `state`, just written to `dir`.
    fn keep(&self, dir: &Path, state: Arc<State>) {
        *self.lock() = Stamp::of(dir).map(|s| (s, state));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Stamp, Arc<State>)>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
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
            ResourceId::new(&crate::resource::Kind::new("link"), "br0"),
            Arc::new(OwnedEntry {
                provider: "netlink".into(),
                deps: vec![],
                identity: Some(Identity("bridge#4".into())),
            }),
        );
        s.save(dir.path()).unwrap();
        assert_eq!(State::load(dir.path()).unwrap(), s);
    }

    #[test]
    fn the_file_is_json_with_one_object_per_line_whatever_the_names_hold() {
        let dir = tempfile::tempdir().unwrap();
        let link = |name: &str| ResourceId::new(&crate::resource::Kind::new("link"), name);
        let mut s = State {
            version: 1,
            ..State::default()
        };
        s.save(dir.path()).unwrap();
        assert_eq!(State::load(dir.path()).unwrap(), s);
        for (name, identity) in [("br0", None), ("odd\"name\n,}", Some("x\"#1"))] {
            s.owned.insert(
                link(name),
                Arc::new(OwnedEntry {
                    provider: "netlink".into(),
                    deps: vec![link("up0")],
                    identity: identity.map(|i| Identity(i.into())),
                }),
            );
        }
        s.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value, serde_json::to_value(&s).unwrap());
        assert_eq!(State::load(dir.path()).unwrap(), s);
        // Byte for byte what serde_json writes, escaped names included.
        for (id, entry) in &s.owned {
            let line = format!(
                "{}: {}",
                serde_json::to_string(id).unwrap(),
                serde_json::to_string(entry).unwrap()
            );
            assert!(text.contains(&line), "{line} not in {text}");
        }
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3 + s.owned.len() + 2, "{text}");
        assert!(
            lines[3].starts_with(r#"    "link/br0": {"provider":"netlink""#),
            "{text}"
        );
    }

    #[test]
    fn the_first_write_keeps_the_appliers_state_not_a_copy() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cached::default();
        let mut saved = Saved::new(cache.shared(dir.path()).unwrap(), &cache);
        let mut state = State::default();
        state.owned.insert(
            ResourceId::new(&crate::resource::Kind::new("link"), "br0"),
            Arc::new(OwnedEntry {
                provider: "netlink".into(),
                deps: vec![],
                identity: None,
            }),
        );
        let state = Arc::new(state);
        saved.save(&state, dir.path()).unwrap();
        assert!(Arc::ptr_eq(&saved.written, &state));
        assert!(Arc::ptr_eq(&cache.shared(dir.path()).unwrap(), &state));
        assert_eq!(State::load(dir.path()).unwrap(), *state);
    }

    #[test]
    fn the_kept_state_gives_way_to_what_another_writer_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cached::default();
        let mut mine = cache.load(dir.path()).unwrap();
        let link = |name: &str| ResourceId::new(&crate::resource::Kind::new("link"), name);
        let entry = Arc::new(OwnedEntry {
            provider: "netlink".into(),
            deps: vec![],
            identity: None,
        });
        mine.owned.insert(link("br0"), entry.clone());
        let mut saved = Saved::new(Arc::default(), &cache);
        saved.save(&Arc::new(mine.clone()), dir.path()).unwrap();
        assert_eq!(*cache.shared(dir.path()).unwrap(), mine);

        // `aio apply` in another process, of the same length.
        let mut theirs = State::default();
        theirs.owned.insert(link("br1"), entry);
        theirs.save(dir.path()).unwrap();
        assert_eq!(cache.load(dir.path()).unwrap(), theirs);
        std::fs::remove_file(dir.path().join(FILE)).unwrap();
        assert!(cache.load(dir.path()).unwrap().owned.is_empty());
    }

    #[test]
    fn two_applies_of_one_process_keep_what_the_other_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cached::default();
        let link = |name: &str| ResourceId::new(&crate::resource::Kind::new("link"), name);
        let entry = Arc::new(OwnedEntry {
            provider: "netlink".into(),
            deps: vec![],
            identity: None,
        });
        let mut start = State::default();
        start.owned.insert(link("old"), entry.clone());
        start.save(dir.path()).unwrap();
        let on_disk = cache.shared(dir.path()).unwrap();
        // Both start from the same state, shared as an apply shares it with
        // what it wrote; each changes its own entries, copying on write.
        let (mut a, mut b) = (on_disk.clone(), on_disk.clone());
        let mut saved_a = Saved::new(on_disk.clone(), &cache);
        let mut saved_b = Saved::new(on_disk, &cache);
        Arc::make_mut(&mut a).owned.insert(link("a"), entry.clone());
        saved_a.save(&a, dir.path()).unwrap();
        Arc::make_mut(&mut b).owned.insert(link("b"), entry.clone());
        Arc::make_mut(&mut b).owned.remove(&link("old"));
        saved_b.save(&b, dir.path()).unwrap();
        let a_entry = Arc::make_mut(&mut a).owned.get_mut(&link("a")).unwrap();
        Arc::make_mut(a_entry).identity = Some(Identity("bridge#7".into()));
        saved_a.save(&a, dir.path()).unwrap();

        let file = State::load(dir.path()).unwrap();
        let ids: Vec<String> = file.owned.keys().map(ToString::to_string).collect();
        assert_eq!(ids, ["link/a", "link/b"]);
        assert_eq!(
            file.owned[&link("a")].identity,
            Some(Identity("bridge#7".into()))
        );
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
