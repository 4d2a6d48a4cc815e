//! How many HTTP calls a client made and how long they took, so a plan
//! can say what its cloud side cost.

use std::time::Duration;

/// Counts since the client was made. Take one before and one after an
/// operation; [`Stats::since`] is what the operation cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Every HTTP request sent, Keystone's included, failed ones too.
    pub calls: u64,
    /// Of those, the token requests to Keystone.
    pub keystone_calls: u64,
    /// Their time, from sending to the whole answer read.
    pub time: Duration,
}

impl Stats {
    /// What was counted after `earlier`.
    pub fn since(self, earlier: Stats) -> Stats {
        Stats {
            calls: self.calls.saturating_sub(earlier.calls),
            keystone_calls: self.keystone_calls.saturating_sub(earlier.keystone_calls),
            time: self.time.saturating_sub(earlier.time),
        }
    }

    pub(crate) fn add(&mut self, keystone: bool, took: Duration) {
        self.calls += 1;
        if keystone {
            self.keystone_calls += 1;
        }
        self.time += took;
    }
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} API call(s) ({} to Keystone) in {:.1?}",
            self.calls, self.keystone_calls, self.time
        )
    }
}
