//! Adopting a Kolla deployment aio did not make: its `passwords.yml` is
//! there, and, where a `docker` binary answers, Kolla's containers run.
//! Then every action is recorded as done for the current inputs, so no
//! action runs until an input changes.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{KollaError, passwords};

/// The container every Kolla deployment runs (its common role).
pub const TOOLBOX: &str = "kolla_toolbox";
/// How long `docker ps` may take.
const DOCKER_WAIT: Duration = Duration::from_secs(20);

/// What Docker says about Kolla's containers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Containers {
    /// The names `docker ps` lists.
    Running(Vec<String>),
    /// No `docker` on `PATH`, or it did not answer: why.
    Unchecked(String),
}

/// Refuses to adopt what is not a deployment; says what was not checked.
/// `docker` is the program to ask (default: `docker` on `PATH`).
pub fn check(config_dir: &Path, docker: Option<&Path>) -> Result<Option<String>, KollaError> {
    let refuse = |why: String| KollaError::Adopt {
        config_dir: config_dir.to_path_buf(),
        why,
    };
    if !config_dir.join(passwords::FILE).is_file() {
        return Err(refuse(format!(
            "there is no {}: nothing was deployed from it",
            passwords::FILE
        )));
    }
    match containers(docker) {
        Containers::Running(names) if names.iter().any(|n| n == TOOLBOX) => Ok(None),
        Containers::Running(names) => Err(refuse(format!(
            "docker ps lists {} container(s), and not {TOOLBOX}: Kolla does not run here; `aio apply` deploys it",
            names.len()
        ))),
        Containers::Unchecked(why) => {
            Ok(Some(format!("Kolla's containers were not checked ({why})")))
        }
    }
}

/// `docker ps --format {{.Names}}`, if `docker` (default: the one on
/// `PATH`) answers in time.
pub fn containers(docker: Option<&Path>) -> Containers {
    let Some(docker) = docker
        .map(Path::to_path_buf)
        .or_else(|| aio_child::find_program("docker"))
    else {
        return Containers::Unchecked("no docker on PATH".into());
    };
    let mut command = Command::new(&docker);
    command
        .args(["ps", "--format", "{{.Names}}"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut guarded = match aio_child::spawn(&mut command) {
        Ok(g) => g,
        Err(e) => return Containers::Unchecked(format!("cannot run {}: {e}", docker.display())),
    };
    let child = guarded.child_mut();
    let (mut out, mut err) = (child.stdout.take(), child.stderr.take());
    let reader = std::thread::spawn(move || {
        let mut text = (String::new(), String::new());
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_string(&mut text.0);
        }
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_string(&mut text.1);
        }
        text
    });
    let started = Instant::now();
    let status = loop {
        match guarded.child_mut().try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() < DOCKER_WAIT => {
                std::thread::sleep(Duration::from_millis(50));
            }
            // Dropping it kills its process group.
            _ => break None,
        }
    };
    let Some(status) = status else {
        drop(guarded);
        return Containers::Unchecked(format!(
            "docker ps did not answer within {}s",
            DOCKER_WAIT.as_secs()
        ));
    };
    let _ = guarded.wait();
    let (stdout, stderr) = reader.join().unwrap_or_default();
    if !status.success() {
        let why = stderr.lines().next().unwrap_or("").trim().to_string();
        return Containers::Unchecked(format!("docker ps failed: {why}"));
    }
    Containers::Running(
        stdout
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
    )
}
