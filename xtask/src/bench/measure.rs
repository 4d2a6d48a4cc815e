//! One timed run of a program: wall time from spawn to exit, and the peak
//! RSS of that child alone (`wait4`'s resource usage, not the whole tree's).

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use super::error::BenchError;

/// What one run cost.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    pub secs: f64,
    /// Peak resident set, KiB (`ru_maxrss`).
    pub rss_kib: u64,
    /// CPU time in user space: the tool's own work, without the kernel's.
    pub user_secs: f64,
    /// CPU time in the kernel on the tool's behalf: its requests carried out.
    pub sys_secs: f64,
}

impl Sample {
    /// Several programs run one after the other: times add up, the peak is the largest.
    pub fn then(self, next: Sample) -> Sample {
        Sample {
            secs: self.secs + next.secs,
            rss_kib: self.rss_kib.max(next.rss_kib),
            user_secs: self.user_secs + next.user_secs,
            sys_secs: self.sys_secs + next.sys_secs,
        }
    }
}

/// Runs `command` (stdin and stdout to /dev/null, stderr to `log`), failing
/// unless it exits 0.
pub fn run(command: &mut Command, log: &Path) -> Result<Sample, BenchError> {
    run_expecting(command, log, 0)
}

/// [`run`], failing unless the exit code is `code`.
pub fn run_expecting(command: &mut Command, log: &Path, code: i32) -> Result<Sample, BenchError> {
    let what = format!("{command:?}");
    let stderr = File::create(log).map_err(BenchError::file(log))?;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    let started = Instant::now();
    let child = command.spawn().map_err(BenchError::spawn(&what))?;
    let mut status = 0;
    // SAFETY: plain out-parameters for wait4(2); zeroes are a valid rusage.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = started.elapsed().as_secs_f64();
    if waited != pid {
        return Err(BenchError::Wait {
            command: what,
            source: std::io::Error::last_os_error(),
        });
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == code) {
        return Err(BenchError::Exit {
            command: what,
            status,
            stderr: std::fs::read_to_string(log).unwrap_or_default(),
        });
    }
    Ok(Sample {
        secs,
        rss_kib: usage.ru_maxrss.max(0) as u64,
        user_secs: seconds(usage.ru_utime),
        sys_secs: seconds(usage.ru_stime),
    })
}

fn seconds(t: libc::timeval) -> f64 {
    t.tv_sec as f64 + t.tv_usec as f64 / 1e6
}

/// Runs `command` untimed, failing with its stderr unless it exits 0.
pub fn quiet(command: &mut Command) -> Result<String, BenchError> {
    let what = format!("{command:?}");
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(BenchError::spawn(&what))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(BenchError::Failed {
            command: what,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}
