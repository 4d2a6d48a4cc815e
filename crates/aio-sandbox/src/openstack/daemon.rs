//! One daemon of the control plane: started inside the caller's network
//! namespace in a process group of its own (neutron-server forks workers,
//! which must die with it), its output appended to a log in the run's
//! directory, and stopped by signalling that group: SIGTERM, then SIGKILL
//! when the grace period is over.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{poll, process};

pub(crate) struct Daemon {
    pub(crate) name: &'static str,
    child: aio_child::Guarded,
}

impl Daemon {
    /// `ip netns exec NS PROGRAM ARGS` with `env` added, in a new process
    /// group whose id is the daemon's pid (`ip` execs the program).
    pub(crate) fn spawn(
        name: &'static str,
        ns: &str,
        program: &Path,
        args: &[String],
        env: &[(&str, &Path)],
        output: PathBuf,
    ) -> Result<Daemon, String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&output)
            .map_err(|e| format!("{}: {e}", output.display()))?;
        let err = log
            .try_clone()
            .map_err(|e| format!("{}: {e}", output.display()))?;
        let mut command = Command::new("ip");
        command
            .args(["netns", "exec", ns])
            .arg(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err);
        for (key, value) in env {
            command.env(key, value);
        }
        // Its own process group, killed with the harness too (a demo
        // stopped by a signal, a test killed), not only by `stop`.
        let child = aio_child::spawn(&mut command)
            .map_err(|e| format!("{name} ({}): {e}", program.display()))?;
        Ok(Daemon { name, child })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the daemon itself still runs (its workers are not asked).
    pub(crate) fn alive(&mut self) -> bool {
        matches!(self.child.child_mut().try_wait(), Ok(None))
    }

    /// The live processes of its group: the daemon and its workers.
    pub(crate) fn group(&self) -> Vec<String> {
        process::alive_in_group(self.pgid())
    }

    fn pgid(&self) -> i32 {
        i32::try_from(self.child.id()).unwrap_or(i32::MAX)
    }

    /// The resident memory of its whole group, in KiB (`VmRSS`).
    pub(crate) fn rss_kib(&self) -> u64 {
        self.group()
            .iter()
            .filter_map(|stat| stat.split_whitespace().next())
            .map(|pid| rss_kib(pid).unwrap_or(0))
            .sum()
    }

    /// SIGTERM to the group, SIGKILL to whatever is left of it after
    /// `grace`; returns once the daemon is reaped and no process of the
    /// group lives on (or a further 10 s have passed).
    pub(crate) fn stop(&mut self, grace: Duration) {
        self.signal(libc::SIGTERM);
        if !poll::within(grace, || self.group().is_empty()) {
            self.signal(libc::SIGKILL);
        }
        let _ = self.child.wait();
        poll::within(Duration::from_secs(10), || self.group().is_empty());
    }

    fn signal(&self, signal: libc::c_int) {
        // SAFETY: a plain syscall on the daemon's own process group; its id
        // cannot be reused while the daemon (its leader) is not reaped.
        unsafe {
            libc::kill(-self.pgid(), signal);
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop(Duration::from_secs(10));
    }
}

/// `VmRSS` of process `pid`, in KiB.
fn rss_kib(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub(crate) use crate::files::{tail, tail_of};

/// Waits up to `limit` for `ready`, failing early if `daemon` exits.
pub(crate) fn poll_daemon(
    daemon: &mut Daemon,
    limit: Duration,
    mut ready: impl FnMut() -> bool,
) -> Result<(), String> {
    let started = Instant::now();
    let ok = poll::within(limit, || ready() || !daemon.alive());
    match (ok, daemon.alive()) {
        (true, true) => Ok(()),
        (_, false) => Err(format!("exited after {:?}", started.elapsed())),
        (false, true) => Err(format!("no answer within {limit:?}")),
    }
}
