//! Damping a fight with another writer. A resource repaired [`TIMES`] times
//! within [`WINDOW`] is contested: someone keeps undoing what aio does (a
//! second watcher with another topology, a script, an operator's loop).
//! From then on each repair of it waits, 1 s and doubling up to
//! [`MAX_WAIT`], instead of answering every change at once; once it stays
//! as repaired for twice the last wait (and at least [`WINDOW`]), it is
//! repaired at once again. Contested resources are written to
//! `STATE_DIR/contested.json` for `aio show`.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aio_fs::Bound;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use aio_engine::{Pending, Plan, Reason, ResourceId};

use super::event::WatchEvent;

/// Where `aio watch` lists what it finds contested.
pub const CONTESTED_FILE: &str = "contested.json";
/// Repairs within [`WINDOW`] that make a resource contested.
const TIMES: usize = 5;
const WINDOW: Duration = Duration::from_secs(10);
const FIRST_WAIT: Duration = Duration::from_secs(1);
const MAX_WAIT: Duration = Duration::from_secs(60);

/// A resource whose repairs another writer keeps undoing, as `aio show` reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contested {
    pub id: ResourceId,
    /// Seconds since the epoch when it was found contested.
    pub since: u64,
    /// How long each repair of it waits now.
    pub wait_seconds: u64,
}

#[derive(Serialize, Deserialize)]
struct ContestedDoc {
    /// The watch that wrote it: its list means nothing once it is gone.
    pid: u32,
    contested: Vec<Contested>,
}

/// What a running `aio watch` of `state_dir` finds contested (nothing if
/// none runs).
pub fn contested(state_dir: &Path) -> Vec<Contested> {
    let Ok(bytes) = aio_fs::read_bounded(&state_dir.join(CONTESTED_FILE), Bound::RECORD) else {
        return Vec::new();
    };
    let Ok(doc) = serde_json::from_slice::<ContestedDoc>(&bytes) else {
        return Vec::new();
    };
    let pid = libc::pid_t::try_from(doc.pid).unwrap_or(0);
    // SAFETY: signal 0 only asks whether the process exists.
    let alive = pid > 0 && unsafe { libc::kill(pid, 0) } == 0;
    if alive { doc.contested } else { Vec::new() }
}

struct Fight {
    /// When it was repaired lately (within [`WINDOW`] while not contested).
    repairs: VecDeque<Instant>,
    /// Once contested: how long a repair waits, and since when.
    wait: Option<(Duration, SystemTime)>,
    /// Not repaired before then.
    hold_until: Option<Instant>,
}

impl Fight {
    fn last(&self) -> Option<Instant> {
        self.repairs.back().copied()
    }

    /// When it counts as settled (contested) or forgotten (not).
    fn quiet_at(&self) -> Option<Instant> {
        let quiet = match self.wait {
            Some((wait, _)) => (wait * 2).max(WINDOW),
            None => WINDOW,
        };
        Some(self.hold_until.unwrap_or(self.last()?).max(self.last()?) + quiet)
    }
}

pub(super) struct Fights {
    file: PathBuf,
    by_id: BTreeMap<ResourceId, Fight>,
}

impl Fights {
    pub(super) fn new(file: PathBuf) -> Fights {
        let fights = Fights {
            file,
            by_id: BTreeMap::new(),
        };
        // What an earlier watch left is not this one's.
        if fights.file.exists() {
            fights.save();
        }
        fights
    }

    /// Whether a repair of `id` must wait now.
    pub(super) fn holds(&self, id: &ResourceId, now: Instant) -> bool {
        self.by_id
            .get(id)
            .and_then(|f| f.hold_until)
            .is_some_and(|until| until > now)
    }

    /// Moves to `waiting` the changes of `plan` whose repair must wait.
    pub(super) fn hold(&self, plan: &mut Plan, now: Instant) {
        let (wait, go): (Vec<_>, Vec<_>) =
            plan.changes.drain(..).partition(|c| self.holds(&c.id, now));
        plan.changes = go;
        plan.waiting.extend(wait.into_iter().map(|c| Pending {
            reason: Reason::Later("another writer keeps changing it: repaired later".into()),
            id: c.id,
        }));
    }

    /// Counts the repairs of `ids` made at `now`.
    pub(super) fn repaired<'a>(
        &mut self,
        ids: impl Iterator<Item = &'a ResourceId>,
        now: Instant,
        tell: &mut dyn FnMut(WatchEvent<'_>),
    ) {
        let mut changed = false;
        for id in ids {
            let fight = self.by_id.entry(id.clone()).or_insert_with(|| Fight {
                repairs: VecDeque::new(),
                wait: None,
                hold_until: None,
            });
            fight.repairs.push_back(now);
            while fight.repairs.len() > TIMES {
                fight.repairs.pop_front();
            }
            let wait = match fight.wait {
                Some((wait, since)) => Some(((wait * 2).min(MAX_WAIT), since)),
                None if fight.repairs.len() >= TIMES
                    && fight.repairs.front().is_some_and(|t| now - *t <= WINDOW) =>
                {
                    tell(WatchEvent::Contested {
                        id,
                        wait: FIRST_WAIT,
                    });
                    Some((FIRST_WAIT, SystemTime::now()))
                }
                None => None,
            };
            if let Some((w, _)) = wait {
                fight.hold_until = Some(now + w);
                changed |= fight.wait.map(|(old, _)| old) != Some(w);
            }
            fight.wait = wait;
        }
        if changed {
            self.save();
        }
    }

    /// When [`Fights::sweep`] has something to do next.
    pub(super) fn next_sweep(&self) -> Option<Instant> {
        self.by_id
            .values()
            .flat_map(|f| [f.hold_until, f.quiet_at()])
            .flatten()
            .min()
    }

    /// Releases the holds that ended (their resources are returned: they are
    /// to be checked now), settles the fights that went quiet.
    pub(super) fn sweep(
        &mut self,
        now: Instant,
        tell: &mut dyn FnMut(WatchEvent<'_>),
    ) -> Vec<ResourceId> {
        let mut due = Vec::new();
        let mut settled = Vec::new();
        for (id, fight) in &mut self.by_id {
            if fight.hold_until.is_some_and(|t| t <= now) {
                fight.hold_until = None;
                due.push(id.clone());
            }
            if fight.quiet_at().is_some_and(|t| t <= now) {
                settled.push(id.clone());
            }
        }
        let mut changed = false;
        for id in settled {
            if let Some(Fight {
                wait: Some((wait, _)),
                ..
            }) = self.by_id.remove(&id)
            {
                tell(WatchEvent::Settled {
                    id: &id,
                    quiet: (wait * 2).max(WINDOW),
                });
                changed = true;
            }
        }
        if changed {
            self.save();
        }
        due
    }

    fn save(&self) {
        let contested = self
            .by_id
            .iter()
            .filter_map(|(id, f)| {
                let (wait, since) = f.wait?;
                Some(Contested {
                    id: id.clone(),
                    since: since.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
                    wait_seconds: wait.as_secs(),
                })
            })
            .collect();
        let doc = ContestedDoc {
            pid: std::process::id(),
            contested,
        };
        let written = serde_json::to_vec_pretty(&doc)
            .map_err(std::io::Error::other)
            .and_then(|text| aio_fs::write_atomic(&self.file, &text, 0o600));
        if let Err(e) = written {
            tracing::warn!("cannot write {}: {e}", self.file.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aio_engine::Kind;

    fn link() -> ResourceId {
        ResourceId::new(&Kind::new("link"), "veth-br")
    }

    #[test]
    fn a_resource_repaired_again_and_again_waits_longer_each_time_then_settles() {
        let dir = tempfile::tempdir().unwrap();
        let mut fights = Fights::new(dir.path().join(CONTESTED_FILE));
        let mut said = Vec::new();
        let mut tell = |e: WatchEvent<'_>| said.push(format!("{e:?}"));
        let start = Instant::now();
        let id = link();
        for i in 0..4 {
            let at = start + Duration::from_millis(100 * i);
            fights.repaired(std::iter::once(&id), at, &mut tell);
            assert!(!fights.holds(&id, at), "held after {} repairs", i + 1);
        }
        let fifth = start + Duration::from_millis(400);
        fights.repaired(std::iter::once(&id), fifth, &mut tell);
        assert!(fights.holds(&id, fifth));
        assert!(!fights.holds(&id, fifth + FIRST_WAIT));
        let mut waits = Vec::new();
        let mut at = fifth;
        for _ in 0..8 {
            at += Duration::from_secs(61);
            fights.repaired(std::iter::once(&id), at, &mut tell);
            waits.push(fights.by_id[&id].wait.unwrap().0.as_secs());
        }
        assert_eq!(waits, [2, 4, 8, 16, 32, 60, 60, 60]);
        let listed = contested_in(dir.path());
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].wait_seconds, 60);

        // The other writer stopped: quiet for twice the wait, it settles.
        assert_eq!(
            fights.sweep(at + Duration::from_secs(60), &mut tell),
            std::slice::from_ref(&id)
        );
        assert!(
            fights
                .sweep(at + Duration::from_secs(119), &mut tell)
                .is_empty()
        );
        assert!(fights.by_id.contains_key(&id));
        fights.sweep(at + Duration::from_secs(120), &mut tell);
        assert!(fights.by_id.is_empty());
        assert!(contested_in(dir.path()).is_empty());
        assert_eq!(
            said.iter().filter(|s| s.starts_with("Contested")).count(),
            1
        );
        assert_eq!(said.iter().filter(|s| s.starts_with("Settled")).count(), 1);
    }

    #[test]
    fn repairs_spread_out_are_no_fight() {
        let dir = tempfile::tempdir().unwrap();
        let mut fights = Fights::new(dir.path().join(CONTESTED_FILE));
        let start = Instant::now();
        for i in 0..20 {
            let at = start + Duration::from_secs(3 * i);
            fights.repaired(std::iter::once(&link()), at, &mut |_| {});
            assert!(!fights.holds(&link(), at));
        }
    }

    fn contested_in(dir: &Path) -> Vec<Contested> {
        contested(dir)
    }
}
