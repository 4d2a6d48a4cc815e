//! Noticing sysctl drift for `aio watch`: the kernel announces no change
//! of a sysctl, so the declared keys (and only those) are read every
//! [`EVERY`] in the network namespace aio works in, and a key whose value
//! is not the one wanted is announced.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::time::{Instant, MissedTickBehavior};

use aio_engine::{Resource, ResourceId, TypedAttrs};
use aio_family::Touched;

use crate::{PROVIDER, SysctlAttrs, read};

/// How often the declared keys are read.
pub const EVERY: Duration = Duration::from_secs(1);
/// The longest wait before a key that stays as it is, not as wanted (a
/// repair that does not hold, a value the kernel writes its own way), is
/// announced again.
const MOST: Duration = Duration::from_secs(60);

/// One declared key, what it should read, and what was seen of it.
#[derive(Debug)]
pub struct Followed {
    id: ResourceId,
    wanted: String,
    /// The value at the last read (`None` inside: there is no such key).
    last: Option<Option<String>>,
    /// When it was last announced, and the wait before announcing it again
    /// if it stays as it is.
    told: Option<(Instant, Duration)>,
}

impl Followed {
    /// The sysctls among `resources`, with the values they should read.
    pub fn of(resources: &[Resource]) -> Vec<Followed> {
        resources
            .iter()
            .filter(|r| r.provider == PROVIDER)
            .filter_map(|r| {
                Some(Followed {
                    id: r.id.clone(),
                    wanted: SysctlAttrs::from_attrs(&r.attrs).ok()?.value,
                    last: None,
                    told: None,
                })
            })
            .collect()
    }

    /// Whether `value`, read at `now`, is to be announced: it is not the
    /// one wanted and it changed since the last read, or it stayed so since
    /// it was announced for longer than the wait (which doubles, up to
    /// [`MOST`], while it stays so).
    pub fn saw(&mut self, value: Option<String>, now: Instant) -> bool {
        let changed = self.last.as_ref() != Some(&value);
        let wrong = value.as_deref() != Some(self.wanted.as_str());
        self.last = Some(value);
        if !wrong {
            self.told = None;
            return false;
        }
        let wait = match self.told {
            _ if changed => EVERY,
            None => EVERY,
            Some((at, wait)) if now >= at + wait => (wait * 2).min(MOST),
            Some(_) => return false,
        };
        self.told = Some((now, wait));
        true
    }
}

/// Reads the keys of `followed` in network namespace `netns` (or the
/// caller's) every [`EVERY`] and sends on `changed` those to repair, until
/// `changed` is closed or the namespace cannot be entered.
pub async fn follow(
    netns: Option<String>,
    mut followed: Vec<Followed>,
    changed: UnboundedSender<Touched>,
) {
    let keys: Vec<String> = followed.iter().map(|f| f.id.name().to_string()).collect();
    let mut ticks = tokio::time::interval(EVERY);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if changed.is_closed() {
            return;
        }
        let keys = keys.clone();
        // /proc/sys/net shows the namespace of the thread that opens it.
        let values = match aio_netns::spawn_in(netns.clone(), move || {
            keys.iter().map(|k| read(k)).collect::<Vec<_>>()
        })
        .await
        {
            Ok(values) => values,
            Err(e) => {
                tracing::warn!("sysctl: {e}; drift of sysctls is found by the periodic check");
                return;
            }
        };
        let now = Instant::now();
        let touched: Vec<ResourceId> = followed
            .iter_mut()
            .zip(values)
            .filter_map(|(f, value)| f.saw(value, now).then(|| f.id.clone()))
            .collect();
        if !touched.is_empty() && changed.send(Touched::from(touched)).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sysctl_id;

    fn forwarding() -> Followed {
        Followed {
            id: sysctl_id("net.ipv4.ip_forward"),
            wanted: "1".into(),
            last: None,
            told: None,
        }
    }

    fn v(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn a_key_is_announced_when_it_turns_from_what_is_wanted_and_not_when_it_turns_back() {
        let mut f = forwarding();
        let t = Instant::now();
        assert!(!f.saw(v("1"), t));
        assert!(!f.saw(v("1"), t + EVERY));
        assert!(f.saw(v("0"), t + EVERY * 2));
        // Repaired: aio's own write is no news.
        assert!(!f.saw(v("1"), t + EVERY * 3));
        assert!(f.saw(v("2"), t + EVERY * 4));
        assert!(f.saw(v("0"), t + EVERY * 5), "another wrong value");
        assert!(f.saw(None, t + EVERY * 6), "the key went away");
    }

    #[test]
    fn a_wrong_value_at_the_first_read_is_announced() {
        let mut f = forwarding();
        assert!(f.saw(v("0"), Instant::now()));
    }

    #[test]
    fn a_key_that_stays_wrong_is_announced_again_ever_less_often() {
        let mut f = forwarding();
        let t = Instant::now();
        let told: Vec<u64> = (0..=400)
            .filter(|s| f.saw(v("0"), t + Duration::from_secs(*s)))
            .collect();
        // A repair undone before the next read is still noticed a second later.
        assert_eq!(told, [0, 1, 3, 7, 15, 31, 63, 123, 183, 243, 303, 363]);
    }
}
