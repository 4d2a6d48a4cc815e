//! The two lanes of `aio watch`: the host's own plumbing, and the families
//! that come after it (Kolla). Their resources are disjoint: a resource of
//! such a family, or one that depends on one (other than for being provided
//! by it), is the later lane's. A pass
//! of one lane plans and applies only its own resources, so both can run at
//! once; they share the state dir's lock (a `flock` is held by an open
//! file: a second one in the same process would wait for the first).

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::rc::{Rc, Weak};
use std::time::Duration;

use tokio::time::Instant;

use aio_engine::{ApplyError, Change, Pending, Plan, ProviderName, Reason, ResourceId, StateLock};
use aio_family::Touched;

use super::event::WatchEvent;
use super::fights::Fights;
use crate::{Host, HostError};

/// After a pass, how long events that keep coming are gathered into one
/// plan. A first event after a quiet time is planned at once.
const SETTLE: Duration = Duration::from_millis(10);
/// The first wait before checking again what could not be checked.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The longest wait before checking again what could not be checked.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    /// The host's own plumbing.
    Host,
    /// The families that come after it, and what depends on them.
    Later,
}

/// Which resources are the later lane's.
pub(super) struct Lanes {
    families: HashSet<ProviderName>,
    later: BTreeSet<ResourceId>,
}

impl Lanes {
    pub(super) fn of(host: &Host) -> Lanes {
        let families: HashSet<ProviderName> = host
            .families()
            .iter()
            .filter(|f| f.after_host())
            .map(|f| f.name())
            .collect();
        let desired = host.desired();
        let mut later: BTreeSet<ResourceId> = desired
            .iter()
            .filter(|r| families.contains(&r.provider))
            .map(|r| r.id.clone())
            .collect();
        loop {
            let before = later.len();
            // What a later family only provides for (the OVS ports of the
            // bridge Kolla's deploy makes) stays the host's: it waits for
            // that family while its provider cannot observe, no longer.
            for r in desired {
                let needs = |d: &ResourceId| later.contains(d) && r.provided_by.as_ref() != Some(d);
                if r.deps.iter().any(needs) {
                    later.insert(r.id.clone());
                }
            }
            if later.len() == before {
                break;
            }
        }
        Lanes { families, later }
    }

    pub(super) fn has_later(&self) -> bool {
        !self.later.is_empty()
    }

    fn is_later(&self, id: &ResourceId) -> bool {
        self.later.contains(id)
    }

    /// `ids` as the host's and the later lane's.
    pub(super) fn split(&self, ids: &Touched) -> (Vec<ResourceId>, Vec<ResourceId>) {
        self.split_ids(ids.iter().cloned())
    }

    /// `ids` as the host's and the later lane's.
    pub(super) fn split_ids(
        &self,
        ids: impl IntoIterator<Item = ResourceId>,
    ) -> (Vec<ResourceId>, Vec<ResourceId>) {
        ids.into_iter().partition(|id| !self.is_later(id))
    }

    /// Whether `p` waits for something of its own lane (then the next pass
    /// may find it possible), not for the later lane.
    fn waits_in_its_lane(&self, p: &Pending) -> bool {
        match &p.reason {
            Reason::Later(_) => false,
            Reason::WaitsFor(dep) => !self.is_later(dep),
            _ => !self.is_later(&p.id),
        }
    }

    /// Moves the later lane's changes of a host plan to `waiting`, and drops
    /// what of it could not be observed (the later lane reports that).
    /// Returns whether there were such changes.
    fn leave_for_later(&self, plan: &mut Plan) -> bool {
        let is_later = |c: &Change| self.families.contains(&c.provider) || self.is_later(&c.id);
        let (wait, now): (Vec<_>, Vec<_>) = plan.changes.drain(..).partition(is_later);
        plan.changes = now;
        let moved = !wait.is_empty();
        plan.waiting.extend(wait.into_iter().map(|c| Pending {
            id: c.id,
            reason: Reason::Later("after the host's own plumbing".into()),
        }));
        plan.unavailable.retain(|p| {
            !self.is_later(&p.id) && !matches!(&p.reason, Reason::WaitsFor(d) if self.is_later(d))
        });
        moved
    }
}

/// What both lanes share: the host, the lock, and the caller's report.
pub(super) struct Shared<'h> {
    host: &'h Host,
    lock_timeout: Duration,
    held: RefCell<Weak<StateLock>>,
    report: RefCell<&'h mut dyn FnMut(WatchEvent<'_>)>,
    /// What was told as not yet possible, and why, whichever lane saw it:
    /// a resource both lanes plan (what depends on Kolla's files) is told
    /// once.
    told: RefCell<HashMap<ResourceId, String>>,
}

impl<'h> Shared<'h> {
    pub(super) fn new(
        host: &'h Host,
        lock_timeout: Duration,
        report: &'h mut dyn FnMut(WatchEvent<'_>),
    ) -> Shared<'h> {
        Shared {
            host,
            lock_timeout,
            held: RefCell::new(Weak::new()),
            report: RefCell::new(report),
            told: Default::default(),
        }
    }

    pub(super) fn tell(&self, event: WatchEvent<'_>) {
        (self.report.borrow_mut())(event);
    }

    /// The state dir's lock, taken if neither lane holds it.
    fn lock(&self) -> Result<Rc<StateLock>, HostError> {
        let held = self.held.borrow().upgrade();
        if let Some(lock) = held {
            return Ok(lock);
        }
        let lock = Rc::new(self.host.lock(self.lock_timeout)?);
        *self.held.borrow_mut() = Rc::downgrade(&lock);
        Ok(lock)
    }

    /// Tells what cannot be checked yet, once per reason: a daemon that is
    /// down for an hour is one line, not one every retry.
    fn not_yet(&self, plan: &Plan) {
        let mut told = self.told.borrow_mut();
        let in_scope = |id: &ResourceId| plan.scope.as_ref().is_none_or(|s| s.contains(id));
        told.retain(|id, _| !in_scope(id) || plan.unavailable.iter().any(|p| p.id == *id));
        for p in plan
            .unavailable
            .iter()
            .filter(|p| !p.reason.is_consequence())
        {
            let why = p.reason.to_string();
            if told.get(&p.id) != Some(&why) {
                self.tell(WatchEvent::NotYet(p));
                told.insert(p.id.clone(), why);
            }
        }
    }
}

/// What the next pass of a lane looks at.
///
/// Everything and what was announced have dues of their own: a full pass
/// held back by a retry's backoff does not hold back the drift announced
/// meanwhile, which gets a pass of its own scope.
#[derive(Default)]
pub(super) struct Next {
    /// When everything is due (the timer, or something could not be
    /// checked); `None`: not asked for.
    full: Option<Instant>,
    /// What families announced since the last pass.
    touched: BTreeSet<ResourceId>,
    /// When what was announced is due.
    touched_due: Option<Instant>,
}

impl Next {
    pub(super) fn announced(&mut self, ids: Vec<ResourceId>, at: Instant) {
        if !ids.is_empty() {
            self.touched.extend(ids);
            self.touched_due.get_or_insert(at);
        }
    }

    pub(super) fn everything(&mut self, at: Instant) {
        self.full = Some(self.full.map_or(at, |d| d.min(at)));
    }

    /// Whether a pass of everything is asked for (now or after a backoff).
    pub(super) fn wants_everything(&self) -> bool {
        self.full.is_some()
    }

    /// When the next pass is due; `None`: nothing to do.
    pub(super) fn due(&self) -> Option<Instant> {
        self.full.into_iter().chain(self.touched_due).min()
    }
}

/// What follows a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Then {
    /// Nothing: the next event or the timer.
    Done,
    /// Everything, at once: changes waited for what the pass made.
    Again,
    /// Everything, after a backoff: something could not be checked or changed.
    Retry,
}

/// How a pass ended.
#[derive(Debug, Clone, Copy)]
pub(super) struct End {
    then: Then,
    /// It applied changes.
    pub(super) applied: bool,
    /// A host pass found changes of the later lane.
    pub(super) later_changes: bool,
}

impl End {
    fn then(then: Then) -> End {
        End {
            then,
            applied: false,
            later_changes: false,
        }
    }
}

/// One lane's passes: what is due, and the backoff of what could not be done.
pub(super) struct Lane {
    pub(super) next: Next,
    backoff: Option<Duration>,
    /// The pass handed out last looked at everything: only such a pass
    /// ending well ends a backoff (a scoped one says nothing of what failed).
    full_pass: bool,
}

impl Lane {
    pub(super) fn new() -> Lane {
        Lane {
            next: Next::default(),
            backoff: None,
            full_pass: false,
        }
    }

    /// The scope of the pass due by `now` (`Some(None)`: everything), taken.
    pub(super) fn take_due(&mut self, now: Instant) -> Option<Option<BTreeSet<ResourceId>>> {
        let due = |d: Option<Instant>| d.is_some_and(|d| d <= now);
        if due(self.next.full) {
            self.next = Next::default();
            self.full_pass = true;
            return Some(None);
        }
        if due(self.next.touched_due) {
            self.next.touched_due = None;
            self.full_pass = false;
            return Some(Some(std::mem::take(&mut self.next.touched)));
        }
        None
    }

    /// Schedules what follows a pass that ended at `now`.
    pub(super) fn after(&mut self, end: End, now: Instant) {
        // Our own changes are announced too, but so is drift that came
        // while we applied: one more look tells them apart.
        let settled = |due: &mut Option<Instant>| {
            if let Some(d) = due {
                *d = (*d).max(now + SETTLE);
            }
        };
        settled(&mut self.next.full);
        settled(&mut self.next.touched_due);
        match end.then {
            // A scoped pass that failed while a retry of everything waits
            // adds nothing to it: the retry keeps its time and backoff.
            Then::Retry if !self.full_pass && self.next.full.is_some() => {}
            Then::Retry => {
                let wait = self
                    .backoff
                    .map_or(FIRST_BACKOFF, |b| (b * 2).min(MAX_BACKOFF));
                self.backoff = Some(wait);
                self.next.full = Some(self.next.full.map_or(now + wait, |d| d.max(now + wait)));
            }
            Then::Again => {
                if self.full_pass {
                    self.backoff = None;
                }
                self.next.everything(now);
            }
            Then::Done if self.full_pass => self.backoff = None,
            Then::Done => {}
        }
    }
}

/// One pass of a lane: a plan (of `scope` and what depends on it, else of
/// everything of the lane) and, if needed, one apply.
pub(super) async fn pass(
    side: Side,
    shared: &Shared<'_>,
    lanes: &Lanes,
    fights: &RefCell<Fights>,
    scope: Option<BTreeSet<ResourceId>>,
) -> End {
    let host = shared.host;
    let scope = match (scope, side) {
        // What another writer keeps changing waits for its turn.
        (Some(touched), _) => {
            let free: BTreeSet<ResourceId> = touched
                .into_iter()
                .filter(|id| !fights.borrow().holds(id, Instant::now()))
                .collect();
            if free.is_empty() {
                return End::then(Then::Done);
            }
            Some(free)
        }
        (None, Side::Later) => Some(lanes.later.clone()),
        (scope, _) => scope,
    };
    let planned = match (&scope, side) {
        (None, _) => host.plan().await,
        // What depends on the host's (Kolla's files on a bridge) is
        // planned with it; the later lane's dependents stay with it.
        (Some(touched), Side::Host) => host.plan_within(touched, |_| true).await,
        // What depends on the later lane's but is the host's (the ports
        // of the bridge Kolla's deploy makes) is the host lane's alone:
        // two lanes applying one resource would race, and the host
        // lane's holds on contested resources would not hold.
        (Some(touched), Side::Later) => host.plan_within(touched, |id| lanes.is_later(id)).await,
    };
    let mut plan = match planned {
        Ok(plan) => plan,
        Err(e) => {
            shared.tell(WatchEvent::CannotPlan(&e));
            return End::then(Then::Retry);
        }
    };
    let later_changes = side == Side::Host && lanes.leave_for_later(&mut plan);
    fights.borrow().hold(&mut plan, Instant::now());
    tracing::debug!(
        "{side:?} lane: {} to change, {} waiting, {} unavailable",
        plan.changes.len(),
        plan.waiting.len(),
        plan.unavailable.len()
    );
    shared.not_yet(&plan);
    let held = if plan.unavailable.is_empty() {
        Then::Done
    } else {
        Then::Retry
    };
    if plan.is_empty() {
        return End {
            later_changes,
            ..End::then(held)
        };
    }
    let _lock = match shared.lock() {
        Ok(lock) => lock,
        Err(e) => {
            shared.tell(WatchEvent::Locked(&e));
            return End::then(Then::Retry);
        }
    };
    for c in &plan.changes {
        tracing::debug!("{side:?} lane applies {} {}", c.action.symbol(), c.id);
    }
    if let Err(e) = host.before_apply() {
        shared.tell(WatchEvent::ApplyFailed(&e));
    }
    match host.apply_once(&plan).await {
        Ok(_) => {
            for change in &plan.changes {
                shared.tell(WatchEvent::Repaired(change));
            }
            let repaired = plan.changes.iter().map(|c| &c.id);
            fights
                .borrow_mut()
                .repaired(repaired, Instant::now(), &mut |e| shared.tell(e));
            // What waited for what was just made may go ahead now.
            let again = plan.waiting.iter().any(|p| lanes.waits_in_its_lane(p));
            End {
                then: if held == Then::Done && again {
                    Then::Again
                } else {
                    held
                },
                applied: true,
                later_changes,
            }
        }
        Err(e) => {
            shared.tell(WatchEvent::ApplyFailed(&e));
            // Undone again between the repair and its check: that is a
            // fight too, the closest kind.
            if let Some(ApplyError::NotConverged { left, .. }) = e.apply_error() {
                let undone = left.changes.iter().map(|c| &c.id);
                fights
                    .borrow_mut()
                    .repaired(undone, Instant::now(), &mut |e| shared.tell(e));
            }
            End::then(Then::Retry)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aio_engine::Kind;

    fn id(name: &str) -> ResourceId {
        ResourceId::new(&Kind::new("link"), name)
    }

    #[test]
    fn drift_announced_during_a_retrys_backoff_gets_its_own_pass_at_once() {
        let t0 = Instant::now();
        let mut lane = Lane::new();
        lane.after(End::then(Then::Retry), t0);
        assert_eq!(lane.next.due(), Some(t0 + FIRST_BACKOFF));
        assert_eq!(lane.take_due(t0), None);

        let t1 = t0 + Duration::from_millis(5);
        lane.next.announced(vec![id("v0")], t1);
        assert_eq!(lane.next.due(), Some(t1));
        let scope = lane.take_due(t1).expect("the announced drift is due");
        assert_eq!(scope, Some([id("v0")].into()));

        // The retry of everything keeps its backoff.
        lane.after(End::then(Then::Done), t1);
        assert_eq!(lane.next.due(), Some(t0 + FIRST_BACKOFF));
        assert_eq!(lane.take_due(t1 + SETTLE), None);
        assert_eq!(lane.take_due(t0 + FIRST_BACKOFF), Some(None));
        assert_eq!(lane.next.due(), None);
    }

    #[test]
    fn a_scoped_pass_that_ends_well_does_not_end_the_backoff_of_a_failing_retry() {
        let t0 = Instant::now();
        let mut lane = Lane::new();
        lane.after(End::then(Then::Retry), t0);
        lane.next.announced(vec![id("v0")], t0);
        assert!(lane.take_due(t0).is_some());
        lane.after(End::then(Then::Done), t0);
        let retry = t0 + FIRST_BACKOFF;
        assert_eq!(lane.take_due(retry), Some(None));
        // The retry fails again: its backoff doubles.
        lane.after(End::then(Then::Retry), retry);
        assert_eq!(lane.next.due(), Some(retry + FIRST_BACKOFF * 2));
        // A full pass that ends well ends it.
        assert_eq!(lane.take_due(retry + FIRST_BACKOFF * 2), Some(None));
        lane.after(End::then(Then::Done), retry + FIRST_BACKOFF * 2);
        assert_eq!(lane.backoff, None);
    }

    #[test]
    fn a_scoped_pass_that_fails_during_a_backoff_does_not_push_the_retry_back() {
        let t0 = Instant::now();
        let mut lane = Lane::new();
        lane.after(End::then(Then::Retry), t0);
        for k in 1..=5u32 {
            let t = t0 + Duration::from_millis(20) * k;
            lane.next.announced(vec![id("v0")], t);
            assert!(lane.take_due(t).is_some());
            lane.after(End::then(Then::Retry), t);
            assert_eq!(
                lane.next.due(),
                Some(t0 + FIRST_BACKOFF),
                "after scoped pass {k}"
            );
        }
        assert_eq!(lane.take_due(t0 + FIRST_BACKOFF), Some(None));
        lane.after(End::then(Then::Retry), t0 + FIRST_BACKOFF);
        assert_eq!(lane.backoff, Some(FIRST_BACKOFF * 2));
    }

    #[test]
    fn everything_due_takes_what_was_announced_with_it() {
        let t0 = Instant::now();
        let mut lane = Lane::new();
        lane.next.announced(vec![id("v0")], t0);
        lane.next.everything(t0);
        assert_eq!(lane.take_due(t0), Some(None));
        assert_eq!(lane.next.due(), None);
        assert_eq!(lane.take_due(t0 + MAX_BACKOFF), None);
    }

    #[test]
    fn what_was_announced_while_a_pass_ran_waits_to_settle() {
        let t0 = Instant::now();
        let mut lane = Lane::new();
        lane.next.announced(vec![id("v0")], t0);
        lane.after(End::then(Then::Done), t0);
        assert_eq!(lane.next.due(), Some(t0 + SETTLE));
        assert_eq!(lane.take_due(t0), None);
        assert!(lane.take_due(t0 + SETTLE).is_some());
    }
}
