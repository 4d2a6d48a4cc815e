//! `aio watch`: apply, then keep the system converged. It re-plans only when
//! something it manages may have changed: the kernel announces a change to
//! one of its links or their addresses, OVSDB announces a change of its
//! rows, or the periodic full check comes round. Bursts are taken together.
//! What cannot be checked yet (OVSDB before Kolla's containers run) is
//! retried with backoff and reported, not fatal. SIGTERM and SIGINT stop it
//! between applies.

use std::collections::HashSet;
use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use crate::Failure;
use crate::cli::Target;
use crate::session::Session;

/// Events closer together than this are one burst.
const DEBOUNCE: Duration = Duration::from_millis(150);
/// The longest wait before checking again what could not be checked.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

pub async fn run(target: &Target, resync: f64, lock_timeout: f64) -> Result<u8, Failure> {
    let session = Session::open(target).await?;
    let resync = Duration::from_secs_f64(resync.max(1.0));
    let lock_timeout = Duration::from_secs_f64(lock_timeout.max(0.0));
    let mut terminate =
        signal(SignalKind::terminate()).map_err(|e| Failure::Refused(e.to_string()))?;
    let mut interrupt =
        signal(SignalKind::interrupt()).map_err(|e| Failure::Refused(e.to_string()))?;
    let mut kernel = aio_netlink::events(target.netns.as_deref()).await?;
    let (ovs_tx, mut ovs) = mpsc::unbounded_channel();
    if let Some(db) = session.ovs_address() {
        tokio::spawn(follow_ovsdb(db, ovs_tx));
    }
    let names = session.link_names();
    let handle = aio_netlink::connect(target.netns.as_deref()).await?;
    let mut indexes = ours(&handle, &names).await;

    println!(
        "aio watch: {} resources of {}",
        session.desired.len(),
        target.file.path.display()
    );
    // First what Kolla's containers need from the host, then tell systemd we
    // are ready (docker.service starts after us), then the rest.
    reconcile(&session, target, lock_timeout, true).await;
    notify_ready();
    let mut backoff = None;
    let mut due = Some(Instant::now());
    let mut next_resync = Instant::now() + resync;
    loop {
        let wake = due.map_or(next_resync, |d| d.min(next_resync));
        tokio::select! {
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
            Some(event) = kernel.recv() => {
                if relevant(&event, &names, &indexes) {
                    due.get_or_insert(Instant::now() + DEBOUNCE);
                }
            }
            Some(()) = ovs.recv() => { due.get_or_insert(Instant::now() + DEBOUNCE); }
            _ = sleep_until(wake) => {
                if Instant::now() >= next_resync {
                    next_resync = Instant::now() + resync;
                    due.get_or_insert(Instant::now());
                }
                if due.is_some_and(|d| d <= Instant::now()) {
                    due = None;
                    let held = reconcile(&session, target, lock_timeout, false).await;
                    // Our own changes are announced too, but so is drift that
                    // came while we applied: one more look tells them apart
                    // (a plan that finds nothing changes nothing).
                    let mut announced = false;
                    while let Ok(event) = kernel.try_recv() {
                        announced |= relevant(&event, &names, &indexes);
                    }
                    while ovs.try_recv().is_ok() {
                        announced = true;
                    }
                    indexes = ours(&handle, &names).await;
                    if announced && !held {
                        due = Some(Instant::now() + DEBOUNCE);
                    }
                    if held {
                        let wait = backoff.map_or(Duration::from_millis(250), |b: Duration| (b * 2).min(MAX_BACKOFF));
                        backoff = Some(wait);
                        due = Some(Instant::now() + wait);
                    } else {
                        backoff = None;
                    }
                }
            }
        }
    }
    println!("aio watch: stopped");
    Ok(0)
}

/// One plan and, if needed, one apply, each change logged on a line; with
/// `host_only`, Kolla's deployment and what waits for it are left for later.
/// Returns whether something could not be checked (and wants another look soon).
async fn reconcile(
    session: &Session,
    target: &Target,
    lock_timeout: Duration,
    host_only: bool,
) -> bool {
    let mut plan = match session.plan().await {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("aio watch: cannot plan: {e}");
            return true;
        }
    };
    if host_only {
        let kolla = |c: &aio_engine::Change| {
            c.provider == aio_kolla::PROVIDER || c.deps.contains(&aio_kolla::resource_id())
        };
        let (later, now): (Vec<_>, Vec<_>) = plan.changes.drain(..).partition(kolla);
        plan.changes = now;
        let reason = "after the host's own plumbing".to_string();
        plan.waiting
            .extend(later.into_iter().map(|c| aio_engine::Pending {
                id: c.id,
                reason: reason.clone(),
            }));
    }
    let held = !plan.unavailable.is_empty();
    for p in plan
        .unavailable
        .iter()
        .filter(|p| !p.reason.starts_with("waits for "))
    {
        eprintln!("aio watch: not yet: {}: {}", p.id, p.reason);
    }
    if plan.is_empty() {
        return held;
    }
    let _lock = match aio_engine::StateLock::acquire(&target.state_dir(), lock_timeout) {
        Ok(lock) => lock,
        Err(e) => {
            eprintln!("aio watch: {e}");
            return true;
        }
    };
    session.remember_vip().ok();
    match session.engine.apply(&plan, &session.desired).await {
        Ok(_) => {
            for change in &plan.changes {
                let line = aio_engine::Plan {
                    changes: vec![change.clone()],
                    ..Default::default()
                }
                .to_string();
                println!(
                    "aio watch: repaired {}",
                    line.lines().next().unwrap_or_default().trim()
                );
            }
            held
        }
        Err(e) => {
            eprintln!("aio watch: apply failed: {e}");
            true
        }
    }
}

/// Tells systemd (a `Type=notify` unit) that the host's plumbing is in place.
fn notify_ready() {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    let path = path.to_string_lossy().into_owned();
    let Ok(socket) = std::os::unix::net::UnixDatagram::unbound() else {
        return;
    };
    // A leading `@` names a socket in the abstract namespace.
    let sent = match path.strip_prefix('@') {
        Some(name) => {
            use std::os::linux::net::SocketAddrExt;
            std::os::unix::net::SocketAddr::from_abstract_name(name)
                .and_then(|a| socket.send_to_addr(b"READY=1", &a))
        }
        None => socket.send_to(b"READY=1", &path),
    };
    if let Err(e) = sent {
        eprintln!("aio watch: cannot tell systemd it is ready: {e}");
    }
}

/// Whether a kernel announcement is about a link aio manages.
fn relevant(event: &aio_netlink::Event, names: &HashSet<String>, indexes: &HashSet<u32>) -> bool {
    match event {
        aio_netlink::Event::Link { index, name } => {
            name.as_ref().is_some_and(|n| names.contains(n)) || indexes.contains(index)
        }
        aio_netlink::Event::Address { index } => indexes.contains(index),
    }
}

/// Follows OVSDB's announcements, connecting again (with backoff) whenever
/// it is not there; each (re)connection counts as a change.
async fn follow_ovsdb(address: String, tx: mpsc::UnboundedSender<()>) {
    let mut wait = Duration::from_millis(250);
    loop {
        if let Ok(mut changes) = aio_ovs::changes(&address).await {
            wait = Duration::from_millis(250);
            if tx.send(()).is_err() {
                return;
            }
            while changes.recv().await.is_some() {
                if tx.send(()).is_err() {
                    return;
                }
            }
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(MAX_BACKOFF);
    }
}

/// The indexes of the links aio manages, as they are now.
async fn ours(handle: &rtnetlink::Handle, names: &HashSet<String>) -> HashSet<u32> {
    match aio_netlink::Snapshot::take(handle).await {
        Ok(s) => s
            .links
            .iter()
            .filter(|l| names.contains(&l.name))
            .map(|l| l.index)
            .collect(),
        Err(_) => HashSet::new(),
    }
}
