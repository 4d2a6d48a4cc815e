//! A running QEMU, started through `aio_child`: in a process group of its
//! own, killed by its PID when dropped, and killed by a guardian process if
//! the harness itself is killed.
//!
//! `aio_child` gives the child a parent-death signal, which Linux ties to
//! the *thread* that started it: a QEMU started in a thread that ends is
//! killed then. Start it from the thread that keeps it.

use std::fmt;
use std::process::{Command, ExitStatus};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use aio_child::Guarded;

use crate::VmError;
use crate::interrupt::INTERRUPTED;

/// How often a wait for QEMU's exit looks.
const EVERY: Duration = Duration::from_millis(200);

/// One QEMU process.
pub(crate) struct QemuChild {
    child: Guarded,
}

impl fmt::Debug for QemuChild {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QemuChild")
            .field("pid", &self.pid())
            .finish()
    }
}

impl QemuChild {
    pub(crate) fn spawn(command: &mut Command) -> Result<Self, VmError> {
        let child = aio_child::spawn(command).map_err(|source| VmError::Spawn {
            program: command.get_program().to_string_lossy().into_owned(),
            source,
        })?;
        Ok(Self { child })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its exit status, when it has exited.
    pub(crate) fn exited(&mut self) -> Option<ExitStatus> {
        self.child.child_mut().try_wait().ok().flatten()
    }

    /// Waits until QEMU exits; at `deadline` (or on an interrupt) kills it
    /// by its PID and says so as the error. How long it ran on.
    pub(crate) fn wait_exit(
        &mut self,
        deadline: Duration,
        what: &str,
    ) -> Result<Duration, VmError> {
        let started = Instant::now();
        loop {
            if self.exited().is_some() {
                // Reaped already: this only lets the guardian go.
                let _ = self.child.wait();
                return Ok(started.elapsed());
            }
            if INTERRUPTED.load(Ordering::SeqCst) {
                self.kill();
                return Err(VmError::Interrupted);
            }
            if started.elapsed() > deadline {
                self.kill();
                return Err(VmError::Timeout {
                    what: format!("{what} (killed it, PID {})", self.pid()),
                    seconds: deadline.as_secs(),
                });
            }
            std::thread::sleep(EVERY);
        }
    }

    /// SIGKILL to its PID (and its group), then reaps it.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.child_mut().kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn sleeping(seconds: &str) -> QemuChild {
        QemuChild::spawn(Command::new("sleep").arg(seconds)).unwrap()
    }

    /// Whether process `pid` runs (a zombie does not).
    fn alive(pid: u32) -> bool {
        !aio_sandbox::process::alive(|dir, _| dir.ends_with(pid.to_string())).is_empty()
    }

    #[test]
    fn a_process_that_exits_is_waited_for_not_killed() {
        let mut child = sleeping("0.3");
        let took = child.wait_exit(Duration::from_secs(30), "sleep").unwrap();
        assert!(took < Duration::from_secs(30), "{took:?}");
        assert!(child.exited().is_some_and(|status| status.success()));
    }

    #[test]
    fn at_the_deadline_the_process_is_killed_and_the_wait_fails() {
        let mut child = sleeping("600");
        let pid = child.pid();
        assert!(alive(pid));
        let err = child
            .wait_exit(Duration::from_millis(500), "sleep to end")
            .unwrap_err();
        assert!(
            matches!(&err, VmError::Timeout { what, .. } if what.contains(&pid.to_string())),
            "{err}"
        );
        assert!(!alive(pid), "PID {pid} still runs");
        assert!(child.exited().is_some());
    }

    #[test]
    fn dropping_it_kills_the_process() {
        let child = sleeping("600");
        let pid = child.pid();
        assert!(alive(pid));
        drop(child);
        assert!(!alive(pid), "PID {pid} still runs");
    }
}
