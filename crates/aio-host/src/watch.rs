//! Keeping the system converged: plan at once what a family announced as
//! changed (those resources and what depends on them, nothing else), take
//! the events that came while repairing together, check everything on a
//! timer, and retry with backoff what could not be checked yet (OVSDB
//! before Kolla's containers run).

use std::collections::{BTreeSet, HashSet};
use std::future::Future;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use aio_engine::{Change, Pending, Plan, Reason, ResourceId};
use aio_family::Touched;

use crate::{Host, HostError};

/// After a repair, how long events that keep coming are gathered into one
/// plan. A first event after a quiet time is planned at once.
const SETTLE: Duration = Duration::from_millis(10);
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

/// What the next pass looks at.
#[derive(Default)]
struct Next {
    /// Everything (the timer, or something could not be checked).
    full: bool,
    /// What families announced since the last pass.
    touched: BTreeSet<ResourceId>,
    /// When the pass is due; `None`: nothing to do.
    due: Option<Instant>,
}

impl Next {
    fn announced(&mut self, ids: &Touched, at: Instant) {
        self.touched.extend(ids.iter().cloned());
        self.due.get_or_insert(at);
    }
}

/// Applies, then keeps `host` converged until `stop` completes.
pub async fn watch(
    host: &Host,
    options: WatchOptions,
    stop: impl Future<Output = ()>,
    report: &mut dyn FnMut(WatchEvent<'_>),
) -> Result<(), HostError> {
    let (tx, mut announced) = mpsc::unbounded_channel::<Touched>();
    for family in host.families() {
        family
            .follow(host.context(), host.desired(), tx.clone())
            .await?;
    }
    drop(tx);
    // First what Kolla's containers need from the host, then the rest.
    reconcile(host, None, options.lock_timeout, true, report).await;
    report(WatchEvent::HostReady);
    let mut backoff: Option<Duration> = None;
    let mut next = Next {
        full: true,
        due: Some(Instant::now()),
        ..Next::default()
    };
    let mut next_resync = Instant::now() + options.resync;
    tokio::pin!(stop);
    loop {
        let wake = next.due.map_or(next_resync, |d| d.min(next_resync));
        tokio::select! {
            () = &mut stop => return Ok(()),
            Some(ids) = announced.recv() => next.announced(&ids, Instant::now()),
            () = sleep_until(wake) => {
                let now = Instant::now();
                if now >= next_resync {
                    next_resync = now + options.resync;
                    next.full = true;
                    next.due.get_or_insert(now);
                }
                if next.due.is_none_or(|d| d > now) {
                    continue;
                }
                let done = std::mem::take(&mut next);
                let scope = (!done.full).then_some(&done.touched);
                let then = reconcile(host, scope, options.lock_timeout, false, report).await;
                // Our own changes are announced too, but so is drift that
                // came while we applied: one more look tells them apart
                // (a plan that finds nothing changes nothing).
                let settled = Instant::now() + SETTLE;
                while let Ok(ids) = announced.try_recv() {
                    next.announced(&ids, settled);
                }
                match then {
                    Then::Retry => {
                        let wait = backoff.map_or(Duration::from_millis(250), |b| (b * 2).min(MAX_BACKOFF));
                        backoff = Some(wait);
                        next.full = true;
                        next.due = Some(Instant::now() + wait);
                    }
                    Then::Again => {
                        backoff = None;
                        next.full = true;
                        next.due = Some(Instant::now());
                    }
                    Then::Done => backoff = None,
                }
            }
        }
    }
}

/// What follows a pass.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Then {
    /// Nothing: the next event or the timer.
    Done,
    /// Everything, at once: changes waited for what the pass made.
    Again,
    /// Everything, after a backoff: something could not be checked or changed.
    Retry,
}

/// One plan (of `scope` and what depends on it, else of everything) and,
/// if needed, one apply; with `host_only`, the changes of
/// families that come after the host (Kolla), and what depends on them,
/// are left for later. Returns what the next pass should be.
async fn reconcile(
    host: &Host,
    scope: Option<&BTreeSet<ResourceId>>,
    lock_timeout: Duration,
    host_only: bool,
    report: &mut dyn FnMut(WatchEvent<'_>),
) -> Then {
    let planned = match scope {
        Some(touched) => host.plan_within(touched).await,
        None => host.plan().await,
    };
    let mut plan = match planned {
        Ok(plan) => plan,
        Err(e) => {
            report(WatchEvent::CannotPlan(&e));
            return Then::Retry;
        }
    };
    if host_only {
        leave_for_later(host, &mut plan);
    }
    let held = if plan.unavailable.is_empty() {
        Then::Done
    } else {
        Then::Retry
    };
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
            return Then::Retry;
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
            match held {
                // What waited for what was just made may go ahead now.
                Then::Done if !plan.waiting.is_empty() => Then::Again,
                then => then,
            }
        }
        Err(e) => {
            report(WatchEvent::ApplyFailed(&e));
            Then::Retry
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
