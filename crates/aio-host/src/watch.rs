//! Keeping the system converged: re-plan only when something aio manages
//! may have changed (a family announced it, or the periodic full check came
//! round), take bursts together, and retry with backoff what could not be
//! checked yet (OVSDB before Kolla's containers run).

use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use aio_engine::{Change, Pending, Plan, Reason, ResourceId};

use crate::{Host, HostError};

/// Events closer together than this are one burst.
const DEBOUNCE: Duration = Duration::from_millis(150);
/// The longest wait before checking again what could not be checked.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy)]
pub struct WatchOptions {
    /// Between full checks, whatever the families announce.
    pub resync: Duration,
    /// How long to wait for the state dir's lock before trying later.
    pub lock_timeout: Duration,
}

/// What the watch loop tells its caller, to log.
#[derive(Debug)]
pub enum WatchEvent<'a> {
    /// The host's own plumbing is in place (or was tried): a service may say it is ready.
    HostReady,
    /// Something could not be checked yet; it is retried.
    NotYet(&'a Pending),
    CannotPlan(&'a HostError),
    Locked(&'a HostError),
    Repaired(&'a Change),
    ApplyFailed(&'a HostError),
}

/// Applies, then keeps `host` converged until `stop` completes.
pub async fn watch(
    host: &Host,
    options: WatchOptions,
    stop: impl Future<Output = ()>,
    report: &mut dyn FnMut(WatchEvent<'_>),
) -> Result<(), HostError> {
    let (tx, mut announced) = mpsc::unbounded_channel();
    for family in host.families() {
        family
            .follow(host.context(), host.desired(), tx.clone())
            .await?;
    }
    drop(tx);
    // First what Kolla's containers need from the host, then the rest.
    reconcile(host, options.lock_timeout, true, report).await;
    report(WatchEvent::HostReady);
    let mut backoff: Option<Duration> = None;
    let mut due = Some(Instant::now());
    let mut next_resync = Instant::now() + options.resync;
    tokio::pin!(stop);
    loop {
        let wake = due.map_or(next_resync, |d| d.min(next_resync));
        tokio::select! {
            () = &mut stop => return Ok(()),
            Some(()) = announced.recv() => { due.get_or_insert(Instant::now() + DEBOUNCE); }
            () = sleep_until(wake) => {
                if Instant::now() >= next_resync {
                    next_resync = Instant::now() + options.resync;
                    due.get_or_insert(Instant::now());
                }
                if due.is_none_or(|d| d > Instant::now()) {
                    continue;
                }
                let held = reconcile(host, options.lock_timeout, false, report).await;
                // Our own changes are announced too, but so is drift that
                // came while we applied: one more look tells them apart
                // (a plan that finds nothing changes nothing).
                let mut again = false;
                while announced.try_recv().is_ok() {
                    again = true;
                }
                due = if held {
                    let wait = backoff.map_or(Duration::from_millis(250), |b| (b * 2).min(MAX_BACKOFF));
                    backoff = Some(wait);
                    Some(Instant::now() + wait)
                } else {
                    backoff = None;
                    again.then(|| Instant::now() + DEBOUNCE)
                };
            }
        }
    }
}

/// One plan and, if needed, one apply; with `host_only`, the changes of
/// families that come after the host (Kolla), and what depends on them,
/// are left for later. Returns whether something could not be checked
/// (and wants another look soon).
async fn reconcile(
    host: &Host,
    lock_timeout: Duration,
    host_only: bool,
    report: &mut dyn FnMut(WatchEvent<'_>),
) -> bool {
    let mut plan = match host.plan().await {
        Ok(plan) => plan,
        Err(e) => {
            report(WatchEvent::CannotPlan(&e));
            return true;
        }
    };
    if host_only {
        leave_for_later(host, &mut plan);
    }
    let held = !plan.unavailable.is_empty();
    for p in plan
        .unavailable
        .iter()
        .filter(|p| !p.reason.is_consequence())
    {
        report(WatchEvent::NotYet(p));
    }
    if plan.is_empty() {
        return held;
    }
    let _lock = match host.lock(lock_timeout) {
        Ok(lock) => lock,
        Err(e) => {
            report(WatchEvent::Locked(&e));
            return true;
        }
    };
    if let Err(e) = host.remember_vip() {
        report(WatchEvent::ApplyFailed(&e));
    }
    match host.apply_once(&plan).await {
        Ok(_) => {
            for change in &plan.changes {
                report(WatchEvent::Repaired(change));
            }
            held
        }
        Err(e) => {
            report(WatchEvent::ApplyFailed(&e));
            true
        }
    }
}

/// Moves to `waiting` the changes of the families that come after the host,
/// and those that depend on their resources.
fn leave_for_later(host: &Host, plan: &mut Plan) {
    let later: HashSet<&str> = host
        .families()
        .iter()
        .filter(|f| f.after_host())
        .map(|f| f.name())
        .collect();
    let theirs: HashSet<&ResourceId> = host
        .desired()
        .iter()
        .filter(|r| later.contains(r.provider.as_str()))
        .map(|r| &r.id)
        .collect();
    let is_later = |c: &Change| {
        later.contains(c.provider.as_str()) || c.deps.iter().any(|d| theirs.contains(d))
    };
    let (wait, now): (Vec<_>, Vec<_>) = plan.changes.drain(..).partition(is_later);
    plan.changes = now;
    plan.waiting.extend(wait.into_iter().map(|c| Pending {
        id: c.id,
        reason: Reason::Later("after the host's own plumbing".into()),
    }));
}
