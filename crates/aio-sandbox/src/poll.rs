//! Waiting, with a deadline, for what a test cannot be told about: a
//! process to start or die, traffic to flow, a repair to show.

use std::time::{Duration, Instant};

/// How long [`within`] sleeps between two checks; a check may run a
/// program (`ovs-vsctl`, `ping`), so not more often.
pub const EVERY: Duration = Duration::from_millis(50);

/// Checks `holds` every [`EVERY`] until it is true or `limit` has passed:
/// whether it held. For a caller that asserts afterwards in its own words.
pub fn within(limit: Duration, mut holds: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if holds() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(EVERY);
    }
}

/// Waits until `holds`; if `limit` passes first, panics with
/// "WHAT not within LIMIT".
pub fn wait_until(limit: Duration, what: &str, holds: impl FnMut() -> bool) {
    assert!(within(limit, holds), "{what} not within {limit:?}");
}

/// [`wait_until`], adding what `shown` returns (a log, the processes left)
/// to the panic's message.
pub fn wait_until_showing(
    limit: Duration,
    what: &str,
    holds: impl FnMut() -> bool,
    shown: impl FnOnce() -> String,
) {
    if !within(limit, holds) {
        panic!("{what} not within {limit:?}; {}", shown());
    }
}
