//! The workspace's tests, their binaries side by side in a few lanes:
//! `cargo xtask test`, and the tests of `cargo xtask ci`.
//!
//! `cargo test` runs one test binary after the other, and most of aio's
//! spend their time waiting: on daemons starting (OVSDB, MariaDB,
//! neutron-server), on reboots of a sandbox, on timeouts that prove an
//! absence. Each binary's own tests already run in parallel, so each is
//! made to share nothing with another; several binaries at once take far
//! less than their sum. The binaries are built by cargo (`--no-run`), run
//! longest first, and each one's output is printed whole when it ends,
//! never mixed with another's. The doc tests go through cargo, as one more
//! job.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::Instant;

/// How many binaries run at once.
const LANES: usize = 3;

/// The binaries that take minutes, longest first: started first, so that
/// none of them is left to run alone at the end.
const LONGEST: [&str; 8] = [
    "watch",
    "datapath",
    "doctor",
    "cloud_side",
    "killpoints",
    "kolla",
    "kolla_real",
    "reconcile",
];

/// One test binary (or the doc tests), as cargo would run it.
struct Job {
    /// `package kind target`, as the output names it.
    name: String,
    command: Command,
}

/// Builds every test binary, then runs them all in [`LANES`] lanes, each
/// with `env` added to its environment.
pub fn run(env: &[(&str, String)]) -> Result<(), String> {
    let mut jobs = built()?;
    let mut doc = Command::new("cargo");
    doc.args(["test", "--workspace", "--doc"])
        .current_dir(crate::shell::root());
    jobs.push(Job {
        name: "doc tests".into(),
        command: doc,
    });
    let rank = |job: &Job| {
        let target = job.name.rsplit(' ').next().unwrap_or_default();
        LONGEST
            .iter()
            .position(|l| *l == target)
            .unwrap_or(LONGEST.len())
    };
    jobs.sort_by_key(rank);
    for job in &mut jobs {
        job.command.envs(env.iter().map(|(k, v)| (k, v)));
    }
    let total = jobs.len();
    println!(
        "$ {total} test binaries, {LANES} at a time (built by `cargo test --workspace --no-run`)"
    );
    let started = Instant::now();
    let queue = Mutex::new(VecDeque::from(jobs));
    let failed = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..LANES {
            s.spawn(|| {
                while let Some(mut job) = next(&queue) {
                    let began = Instant::now();
                    let output = job.command.output();
                    let secs = began.elapsed().as_secs_f64();
                    if !report(&job.name, secs, output) {
                        failed.lock().unwrap().push(job.name);
                    }
                }
            });
        }
    });
    let failed = failed.into_inner().unwrap();
    println!(
        "{} of {total} test binaries passed in {:.0} s",
        total - failed.len(),
        started.elapsed().as_secs_f64()
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("tests failed: {}", failed.join(", ")))
    }
}

fn next(queue: &Mutex<VecDeque<Job>>) -> Option<Job> {
    queue.lock().unwrap().pop_front()
}

/// Prints one job's output whole; whether it passed.
fn report(name: &str, secs: f64, output: std::io::Result<Output>) -> bool {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let passed = match output {
        Ok(o) => {
            let _ = writeln!(out, "     Ran {name} in {secs:.1} s ({})", o.status);
            let _ = out.write_all(&o.stdout);
            let _ = out.write_all(&o.stderr);
            o.status.success()
        }
        Err(e) => {
            let _ = writeln!(out, "     Could not run {name}: {e}");
            false
        }
    };
    let _ = out.flush();
    passed
}

/// Every test binary of the workspace, built, with the directory and
/// environment cargo would run it with (its package's root).
fn built() -> Result<Vec<Job>, String> {
    println!("$ cargo test --workspace --no-run --message-format json-render-diagnostics");
    let output = Command::new("cargo")
        .args([
            "test",
            "--workspace",
            "--no-run",
            "--message-format",
            "json-render-diagnostics",
        ])
        .current_dir(crate::shell::root())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cargo test --no-run: {e}"))?;
    if !output.status.success() {
        return Err(format!("building the tests failed ({})", output.status));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let jobs: Vec<Job> = text.lines().filter_map(job).collect();
    if jobs.is_empty() {
        return Err("cargo built no test binary".into());
    }
    Ok(jobs)
}

/// The job of one line of cargo's messages, when it is a test binary.
fn job(line: &str) -> Option<Job> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message["reason"] != "compiler-artifact" || message["profile"]["test"] != true {
        return None;
    }
    let executable = PathBuf::from(message["executable"].as_str()?);
    let manifest = PathBuf::from(message["manifest_path"].as_str()?);
    let dir = manifest.parent()?.to_path_buf();
    let package = dir.file_name()?.to_string_lossy().into_owned();
    let target = message["target"]["name"].as_str()?;
    let kind = message["target"]["kind"][0].as_str()?;
    let mut command = Command::new(executable);
    command.current_dir(&dir).env("CARGO_MANIFEST_DIR", &dir);
    Some(Job {
        name: format!("{package} {kind} {target}"),
        command,
    })
}
