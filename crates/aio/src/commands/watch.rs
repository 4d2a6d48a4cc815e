//! `aio watch`: apply, then keep the system converged (the loop is
//! [`aio_host::watch`]); each repair and each thing not yet possible is
//! logged on one line. SIGTERM and SIGINT stop it between applies.

use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};

use aio_host::{Host, WatchEvent, WatchOptions};

use crate::Failure;
use crate::cli::Target;
use crate::render::plan::change_line;

pub async fn run(target: &Target, resync: Duration, lock_timeout: Duration) -> Result<u8, Failure> {
    let host = Host::open(target.host()?).await?;
    let options = WatchOptions {
        resync,
        lock_timeout,
    };
    let mut terminate =
        signal(SignalKind::terminate()).map_err(|e| Failure::Refused(e.to_string()))?;
    let mut interrupt =
        signal(SignalKind::interrupt()).map_err(|e| Failure::Refused(e.to_string()))?;
    let stop = async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
    };
    outln!(
        "aio watch: {} resources of {}",
        host.desired().len(),
        target.file.path.display()
    );
    aio_host::watch(&host, options, stop, &mut log).await?;
    outln!("aio watch: stopped");
    Ok(0)
}

/// One line per event; once the host's plumbing is in place, systemd is
/// told (docker.service starts after aio's).
fn log(event: WatchEvent<'_>) {
    match event {
        WatchEvent::HostReady => notify_ready(),
        WatchEvent::NotYet(p) => errln!("aio watch: not yet: {}: {}", p.id, p.reason),
        WatchEvent::CannotPlan(e) => errln!("aio watch: cannot plan: {e}"),
        WatchEvent::Locked(e) => errln!("aio watch: {e}"),
        WatchEvent::Repaired(c) => outln!("aio watch: repaired {}", change_line(c).trim()),
        WatchEvent::ApplyFailed(e) => errln!("aio watch: {e}"),
        WatchEvent::Contested { id, wait } => errln!(
            "aio watch: another writer keeps changing {id}: each repair of it now waits, from {} s doubling up to a minute, until it stays as repaired",
            wait.as_secs()
        ),
        WatchEvent::Settled { id, quiet } => errln!(
            "aio watch: {id} stayed as repaired for {} s: repaired at once again",
            quiet.as_secs()
        ),
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
        errln!("aio watch: cannot tell systemd it is ready: {e}");
    }
}
