//! A dump kept for the one step of the run that needs it next: the facts'
//! dump of links and addresses for the run's first observation (a plan
//! asks the kernel for every link once, not twice: at a thousand links,
//! the dump is most of a converged plan's time), and the dump taken while
//! the topology file was parsed, for the facts.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::dump::Snapshot;

/// How old a kept dump may be and still stand for the system: a run
/// observes right after it learns the facts, in milliseconds.
const FRESH: Duration = Duration::from_secs(1);

/// One dump, given out at most once, and only while fresh.
pub struct Primed<T = Snapshot> {
    netns: Option<String>,
    taken: Instant,
    snapshot: Mutex<Option<T>>,
}

impl<T> Primed<T> {
    /// `snapshot`, just taken of `netns` (or the caller's namespace).
    pub fn new(netns: Option<&str>, snapshot: T) -> Primed<T> {
        Primed {
            netns: netns.map(str::to_string),
            taken: Instant::now(),
            snapshot: Mutex::new(Some(snapshot)),
        }
    }

    /// Whether the dump is of `netns` (or the caller's namespace).
    pub fn is_of(&self, netns: Option<&str>) -> bool {
        self.netns.as_deref() == netns
    }

    /// The dump, if still fresh and not yet given out.
    pub fn take(&self) -> Option<T> {
        let kept = self.forget()?;
        (self.taken.elapsed() < FRESH).then_some(kept)
    }

    /// Drops the dump: the system changed since it was taken.
    pub fn forget(&self) -> Option<T> {
        self.snapshot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dump_is_given_once_and_not_after_it_is_forgotten() {
        let primed = Primed::new(Some("ns1"), Snapshot::default());
        assert!(primed.is_of(Some("ns1")) && !primed.is_of(None));
        assert!(primed.take().is_some());
        assert!(primed.take().is_none());
        let changed = Primed::new(None, ());
        changed.forget();
        assert!(changed.take().is_none());
    }

    #[test]
    fn a_stale_dump_is_not_given() {
        let primed: Primed = Primed {
            netns: None,
            taken: Instant::now() - FRESH,
            snapshot: Mutex::new(Some(Snapshot::default())),
        };
        assert!(primed.take().is_none());
    }
}
