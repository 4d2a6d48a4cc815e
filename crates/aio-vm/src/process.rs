//! Running the programs the harness drives, failing on a non-zero exit.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::VmError;

/// How long after its deadline's SIGTERM a command is sent SIGKILL.
const KILL_AFTER: &str = "--kill-after=10";
/// `timeout`'s exit status when the deadline passed, and when the command
/// had to be killed after it.
const TIMED_OUT: i32 = 124;
const KILLED: i32 = 128 + 9;

/// Runs `command` to its end; its stdout when it succeeds.
pub(crate) fn run(command: &mut Command) -> Result<String, VmError> {
    let out = output(command)?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs `command` to its end; its whole output when it succeeds.
pub(crate) fn output(command: &mut Command) -> Result<Output, VmError> {
    let shown = describe(command);
    let out = command.output().map_err(|source| VmError::Spawn {
        program: command.get_program().to_string_lossy().into_owned(),
        source,
    })?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(VmError::Failed {
            command: shown,
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

/// The command as a line, for messages.
pub(crate) fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `command` to its end or to `deadline`, under coreutils `timeout`
/// (in the foreground, so that a Ctrl-C still reaches it); its output
/// whatever its exit status, or [`VmError::Timeout`] naming `what` when the
/// deadline passed.
pub(crate) fn output_within(
    command: &Command,
    what: &str,
    deadline: Duration,
) -> Result<Output, VmError> {
    let mut limited = Command::new("timeout");
    limited
        .args(["--foreground", KILL_AFTER])
        .arg(format!("{:.3}", deadline.as_secs_f64()))
        .arg(command.get_program())
        .args(command.get_args());
    let started = Instant::now();
    let out = limited.output().map_err(|source| VmError::Spawn {
        program: describe(&limited),
        source,
    })?;
    if timed_out(out.status.code(), started.elapsed(), deadline) {
        return Err(VmError::Timeout {
            what: format!("the end of `{what}`"),
            seconds: deadline.as_secs(),
        });
    }
    Ok(out)
}

/// Whether a command run under `timeout` was stopped at its deadline: its
/// status says so and the deadline has passed (a command may exit 124 or
/// 137 by itself, earlier).
fn timed_out(code: Option<i32>, took: Duration, deadline: Duration) -> bool {
    matches!(code, Some(TIMED_OUT | KILLED)) && took >= deadline
}

/// A failure when `out` did not succeed.
pub(crate) fn succeeded(out: Output, what: &str) -> Result<Output, VmError> {
    if out.status.success() {
        Ok(out)
    } else {
        Err(VmError::Failed {
            command: what.to_string(),
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn only_a_timeout_status_after_the_deadline_is_a_timeout() {
        assert!(timed_out(Some(124), S(900), S(900)));
        assert!(timed_out(Some(137), S(911), S(900)));
        assert!(!timed_out(Some(124), S(3), S(900)), "the command's own 124");
        assert!(!timed_out(Some(0), S(901), S(900)));
        assert!(!timed_out(Some(1), S(901), S(900)));
        assert!(!timed_out(None, S(901), S(900)));
    }

    #[test]
    fn a_command_that_blocks_is_stopped_at_its_deadline_and_named() {
        let started = Instant::now();
        let err = output_within(
            Command::new("sleep").arg("600"),
            "sleep 600",
            Duration::from_millis(500),
        )
        .unwrap_err();
        assert!(started.elapsed() < S(60), "{:?}", started.elapsed());
        assert!(
            matches!(&err, VmError::Timeout { what, .. } if what.contains("sleep 600")),
            "{err}"
        );
    }

    #[test]
    fn a_command_that_ends_in_time_gives_its_output_and_status() {
        let out = output_within(
            Command::new("sh").args(["-c", "echo said; exit 3"]),
            "sh",
            S(60),
        )
        .unwrap();
        assert_eq!(out.stdout, b"said\n");
        assert_eq!(out.status.code(), Some(3));
        assert!(succeeded(out, "sh").is_err());
    }
}
