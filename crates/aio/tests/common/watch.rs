//! `aio watch` running against a [`Sandbox`], its log in the sandbox's temp
//! dir, killed on drop.

use super::{Sandbox, poll};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

pub struct Watch {
    pub child: Child,
    log: PathBuf,
}

impl Watch {
    pub fn start(sb: &Sandbox, topology: &Path) -> Watch {
        Watch::start_with(sb, topology, &[])
    }

    pub fn start_with(sb: &Sandbox, topology: &Path, env: &[(&str, &str)]) -> Watch {
        Watch::start_full(sb, topology, &[], env)
    }

    /// `aio watch` whose full check is an hour away, logging each pass:
    /// what it does comes from events alone.
    pub fn start_on_events(sb: &Sandbox, topology: &Path) -> Watch {
        Watch::start_full(
            sb,
            topology,
            &["--resync", "3600"],
            &[("RUST_LOG", "aio_host=debug")],
        )
    }

    /// `aio watch` with `extra` arguments (`--resync 3600`) and `env`.
    pub fn start_full(
        sb: &Sandbox,
        topology: &Path,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Watch {
        let log = sb.state.path().join("watch.log");
        let file = std::fs::File::create(&log).unwrap();
        let child = sb
            .command("watch", topology, extra)
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .envs(env.iter().copied())
            .spawn()
            .unwrap();
        Watch { child, log }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap()
    }

    /// How many repairs it logged.
    pub fn repairs(&self) -> usize {
        self.log().matches("aio watch: repaired").count()
    }

    /// Stops it with SIGTERM, which it must obey cleanly: what it logged.
    pub fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = self.child.wait().unwrap();
        assert!(
            status.success(),
            "watch did not stop cleanly: {status}\n{}",
            self.log()
        );
        self.log()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `check` holds, failing after `limit` with `what` and the log.
pub fn within(limit: Duration, what: &str, watch: &Watch, check: impl FnMut() -> bool) {
    poll::wait_until_showing(limit, what, check, || {
        format!("watch said:\n{}", watch.log())
    });
}
