//! Seconds on the command line (`--lock-timeout`, `--resync`): a finite
//! number from a least value up to one day, read into a `Duration` once,
//! so that nothing a user types (`inf`, `NaN`, `1e300`, `-1`) reaches a
//! conversion that overflows. Out of range is a usage error (exit 2).

use std::time::Duration;

/// The most seconds a flag takes: one day. A longer wait or resync is a
/// typo, and `inf` or `1e300` cannot be held by a `Duration` at all.
pub const MAX_SECONDS: u32 = 86_400;

/// `--lock-timeout`: from 0 (do not wait) to a day.
pub fn lock_timeout(text: &str) -> Result<Duration, String> {
    seconds(text, 0.0)
}

/// `--resync`: from 1 second to a day; a full check more often than once
/// a second would only spend CPU.
pub fn resync(text: &str) -> Result<Duration, String> {
    seconds(text, 1.0)
}

fn seconds(text: &str, least: f64) -> Result<Duration, String> {
    let wanted =
        format!("give seconds from {least} to at most {MAX_SECONDS} (one day), e.g. 30 or 0.5");
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("not a number: {wanted}"))?;
    if !value.is_finite() {
        return Err(format!("not a finite number: {wanted}"));
    }
    if value < least {
        return Err(format!("below {least}: {wanted}"));
    }
    if value > f64::from(MAX_SECONDS) {
        return Err(format!("more than a day: {wanted}"));
    }
    // `abs`: `-0` is zero seconds, not a negative number.
    Duration::try_from_secs_f64(value.abs()).map_err(|e| format!("{e}: {wanted}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn finite_seconds_within_a_day_are_taken() {
        assert_eq!(lock_timeout("0").unwrap(), Duration::ZERO);
        assert_eq!(lock_timeout("-0").unwrap(), Duration::ZERO);
        assert_eq!(lock_timeout("0.2").unwrap(), Duration::from_millis(200));
        assert_eq!(lock_timeout(" 5 ").unwrap(), Duration::from_secs(5));
        assert_eq!(resync("1").unwrap(), Duration::from_secs(1));
        assert_eq!(resync("86400").unwrap(), Duration::from_secs(86_400));
    }

    #[test]
    fn anything_else_is_refused_saying_what_is_taken() {
        for bad in [
            "inf", "-inf", "NaN", "1e300", "-1", "86400.5", "ten", "", "5s",
        ] {
            let err = lock_timeout(bad).unwrap_err();
            assert!(err.contains("at most 86400"), "{bad}: {err}");
        }
        assert!(resync("0.5").unwrap_err().starts_with("below 1"));
        assert!(resync("0").is_err());
    }
}
