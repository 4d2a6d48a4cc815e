//! [`Writes`]: a provider's count of its own writes, for observations that
//! may overlap them.
//!
//! Two callers can use one provider at once (the two lanes of `aio
//! watch`): an observation can start before the other caller's apply
//! writes and end after it. What such an observation found may or may not
//! show that write, so it must not replace what the apply left known.

use std::sync::atomic::{AtomicU64, Ordering};

/// How many writes a provider has made. Count a write while holding the
/// lock that guards what it changed, and compare under that same lock.
#[derive(Debug, Default)]
pub struct Writes(AtomicU64);

/// How many writes there had been when an observation started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Since(u64);

impl Writes {
    /// Taken before an observation starts.
    pub fn since(&self) -> Since {
        Since(self.0.load(Ordering::SeqCst))
    }

    /// One more write.
    pub fn wrote(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    /// Whether a write came after `since`: an observation started then may
    /// not show it.
    pub fn spanned(&self, since: Since) -> bool {
        self.since() != since
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_observation_spans_the_writes_after_it_started() {
        let writes = Writes::default();
        let before = writes.since();
        assert!(!writes.spanned(before));
        writes.wrote();
        assert!(writes.spanned(before));
        assert!(!writes.spanned(writes.since()));
    }
}
