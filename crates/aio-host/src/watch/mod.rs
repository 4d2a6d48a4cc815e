//! Keeping the system converged: plan at once what a family announced as
//! changed (those resources and what depends on them, nothing else), take
//! the events that came while repairing together, check everything on a
//! timer, and retry with backoff what could not be checked yet (OVSDB
//! before Kolla's containers run).
//!
//! The work runs in two lanes ([`lane`]): the host's own plumbing, and the
//! families that come after it (Kolla), whose work takes minutes (a venv,
//! passwords, a deploy). Each lane has its own passes, so a deleted veth is
//! repaired within moments even while Kolla's deploy runs. A resource whose
//! repairs another writer keeps undoing is repaired less and less often
//! ([`fights`]).

mod event;
mod fights;
mod lane;

use std::cell::RefCell;
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use futures::future::OptionFuture;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use aio_family::Touched;

use crate::{Host, HostError};
use fights::Fights;
use lane::{Lane, Lanes, Shared, Side, pass};

pub use event::WatchEvent;
pub use fights::{CONTESTED_FILE, Contested, contested};

#[derive(Debug, Clone, Copy)]
pub struct WatchOptions {
    /// Between full checks, whatever the families announce.
    pub resync: Duration,
    /// How long to wait for the state dir's lock before trying later.
    pub lock_timeout: Duration,
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
    let shared = Shared::new(host, options.lock_timeout, report);
    let fights = RefCell::new(Fights::new(contested_path(host)));
    let lanes = Lanes::of(host);
    let mut plumbing = Lane::new();
    let mut later = Lane::new();
    // First what Kolla's containers need from the host, then the rest.
    let first = pass(Side::Host, &shared, &lanes, &fights, None).await;
    shared.tell(WatchEvent::HostReady);
    // Indexed now rather than on the first event, which it would delay.
    host.index();
    plumbing.after(first, Instant::now());
    if lanes.has_later() {
        later.next.everything(Instant::now());
    }
    let mut next_resync = Instant::now() + options.resync;
    let mut running_plumbing = None;
    let mut running_later = None;
    tokio::pin!(stop);
    loop {
        let now = Instant::now();
        if running_plumbing.is_none()
            && let Some(scope) = plumbing.take_due(now)
        {
            running_plumbing = Some(Box::pin(pass(Side::Host, &shared, &lanes, &fights, scope)));
        }
        if running_later.is_none()
            && let Some(scope) = later.take_due(now)
        {
            running_later = Some(Box::pin(pass(Side::Later, &shared, &lanes, &fights, scope)));
        }
        let mut wake = next_resync;
        for due in [
            plumbing.next.due().filter(|_| running_plumbing.is_none()),
            later.next.due().filter(|_| running_later.is_none()),
            fights.borrow().next_sweep(),
        ]
        .into_iter()
        .flatten()
        {
            wake = wake.min(due);
        }
        tokio::select! {
            () = &mut stop => return Ok(()),
            Some(ids) = announced.recv() => {
                let at = Instant::now();
                let (ours, theirs) = lanes.split(&ids);
                plumbing.next.announced(ours, at);
                later.next.announced(theirs, at);
            }
            Some(end) = OptionFuture::from(running_plumbing.as_mut()) => {
                running_plumbing = None;
                plumbing.after(end, Instant::now());
                if end.later_changes && running_later.is_none() && !later.next.wants_everything() {
                    later.next.everything(Instant::now());
                }
            }
            Some(end) = OptionFuture::from(running_later.as_mut()) => {
                running_later = None;
                later.after(end, Instant::now());
                // What waited for what Kolla made (OVSDB, br-ex) may go ahead now.
                if end.applied {
                    plumbing.next.everything(Instant::now());
                }
            }
            () = sleep_until(wake) => {
                let now = Instant::now();
                if now >= next_resync {
                    next_resync = now + options.resync;
                    plumbing.next.everything(now);
                    if lanes.has_later() {
                        later.next.everything(now);
                    }
                }
                let due = fights.borrow_mut().sweep(now, &mut |e| shared.tell(e));
                let (ours, theirs) = lanes.split_ids(due);
                plumbing.next.announced(ours, now);
                later.next.announced(theirs, now);
            }
        }
    }
}

/// Where watch says which resources are contested, for `aio show`.
fn contested_path(host: &Host) -> PathBuf {
    host.target().state_dir.join(CONTESTED_FILE)
}
