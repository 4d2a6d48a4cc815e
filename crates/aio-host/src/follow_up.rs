//! After an apply, what waited on something it made. A port on the bridge
//! Kolla's deploy creates waits for the deployment; once the deploy is
//! done, OVSDB may still be starting and the bridge not made yet. The
//! follow-up looks again, bounded, telling the caller how long it has
//! waited, and applies those changes as soon as they can be made, so a
//! fresh host converges in one apply.

use std::time::{Duration, Instant};

use aio_engine::{Plan, Reason, ResourceId};

use crate::applied::{Applied, FollowUp};
use crate::{Host, HostError};

/// How often to look again while waiting.
const POLL: Duration = Duration::from_millis(500);
/// How often to tell the caller it is still waiting.
const PROGRESS: Duration = Duration::from_secs(5);

impl Host {
    /// How long an apply waits for what something it made will provide (300 s by default).
    pub fn set_follow_up_timeout(&mut self, timeout: Duration) {
        self.follow_up_timeout = timeout;
    }

    /// The follow-up of `plan`, which applied `applied` changes.
    pub(crate) async fn follow_up(
        &self,
        plan: &Plan,
        applied: usize,
        tell: &mut dyn FnMut(FollowUp<'_>),
    ) -> Result<Applied, HostError> {
        let was_waiting = |id: &ResourceId| plan.waiting.iter().any(|w| w.id == *id);
        // Only what waited for something this apply made may become possible.
        let made = |d: &ResourceId| plan.changes.iter().any(|c| c.id == *d);
        let expected: Vec<ResourceId> = plan
            .waiting
            .iter()
            .filter(|w| matches!(&w.reason, Reason::WaitsFor(d) if made(d)))
            .map(|w| w.id.clone())
            .collect();
        let start = Instant::now();
        let mut told = start;
        loop {
            let next = self.plan().await?;
            let unblocked: Vec<_> = next
                .changes
                .iter()
                .filter(|c| was_waiting(&c.id))
                .cloned()
                .collect();
            if !unblocked.is_empty() {
                let follow = Plan {
                    changes: unblocked,
                    ..next
                };
                tell(FollowUp::Now(&follow));
                let more = self.apply_once(&follow).await?;
                return Ok(Applied {
                    applied: applied + more,
                    waiting: follow.waiting.len(),
                });
            }
            let held = |id: &ResourceId| {
                next.waiting
                    .iter()
                    .chain(&next.unavailable)
                    .any(|p| p.id == *id)
            };
            let still: Vec<ResourceId> = expected.iter().filter(|id| held(id)).cloned().collect();
            let late = start.elapsed() >= self.follow_up_timeout;
            if late && let Some(p) = next.unavailable.iter().find(|p| still.contains(&p.id)) {
                return Err(HostError::Refused(format!(
                    "{} still cannot be planned {} s after what it waited for was applied: {}",
                    p.id,
                    start.elapsed().as_secs(),
                    p.reason
                )));
            }
            if still.is_empty() || late {
                return Ok(Applied {
                    applied,
                    waiting: next.waiting.len(),
                });
            }
            if told.elapsed() >= PROGRESS {
                told = Instant::now();
                tell(FollowUp::Waiting {
                    ids: &still,
                    waited: start.elapsed(),
                });
            }
            tokio::time::sleep(POLL).await;
        }
    }
}
