//! Running kolla-ansible actions: the venv's `bin` first on PATH, output to a
//! log per action, progress on a terminal (action, current Ansible TASK,
//! elapsed time), one line per action elsewhere.

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::KollaError;

/// Overrides the program run for actions (default: the venv's `kolla-ansible`).
/// Tests point it at a stand-in for the actions that need Docker.
pub const PROGRAM_ENV: &str = "AIO_KOLLA_ANSIBLE";

pub struct Runner {
    pub program: PathBuf,
    pub venv_bin: PathBuf,
    pub inventory: PathBuf,
    pub config_dir: PathBuf,
    pub log_dir: PathBuf,
}

impl Runner {
    pub fn log(&self, action: &str) -> PathBuf {
        self.log_dir.join(format!("{action}.log"))
    }

    pub fn run(&self, action: &str) -> Result<(), KollaError> {
        self.run_with(action, &[])
    }

    /// Runs `action` with `extra` arguments after the usual ones.
    pub fn run_with(&self, action: &str, extra: &[&str]) -> Result<(), KollaError> {
        let log_path = self.log(action);
        crate::files::make_dir(&self.log_dir).map_err(|e| KollaError::io(&self.log_dir, e))?;
        let mut log = std::fs::File::create(&log_path).map_err(|e| KollaError::io(&log_path, e))?;
        let path = format!(
            "{}:{}",
            self.venv_bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        // Its whole process tree dies with aio: no deploy outlives a killed apply.
        let mut guarded = aio_child::spawn(
            Command::new(&self.program)
                .arg(action)
                .arg("-i")
                .arg(&self.inventory)
                .arg("--configdir")
                .arg(&self.config_dir)
                .args(extra)
                .env("PATH", path)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        )
        .map_err(|e| KollaError::Action {
            action: action.into(),
            why: format!("cannot run {}: {e}", self.program.display()),
            log: log_path.clone(),
        })?;
        let child = guarded.child_mut();
        let not_piped = |what: &str| KollaError::Action {
            action: action.into(),
            why: format!("its {what} could not be read"),
            log: log_path.clone(),
        };
        let stderr = child.stderr.take().ok_or_else(|| not_piped("stderr"))?;
        let (tx, rx) = std::sync::mpsc::channel();
        let tx_err = tx.clone();
        std::thread::spawn(move || {
            BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
                .for_each(|l| drop(tx_err.send(l)))
        });
        let stdout = child.stdout.take().ok_or_else(|| not_piped("stdout"))?;
        std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .for_each(|l| drop(tx.send(l)))
        });

        let progress = Progress::new(action);
        for line in rx {
            writeln!(log, "{line}").map_err(|e| KollaError::io(&log_path, e))?;
            progress.line(&line);
        }
        let status = guarded
            .wait()
            .map_err(|e| KollaError::io(&self.program, e))?;
        progress.done(status.success());
        if status.success() {
            Ok(())
        } else {
            Err(KollaError::Action {
                action: action.into(),
                why: status.to_string(),
                log: log_path,
            })
        }
    }
}

/// What the user sees while an action runs.
struct Progress {
    action: String,
    started: Instant,
    terminal: bool,
}

impl Progress {
    fn new(action: &str) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        if !terminal {
            eprintln!("  kolla-ansible {action} ...");
        }
        Progress {
            action: action.into(),
            started: Instant::now(),
            terminal,
        }
    }

    fn line(&self, line: &str) {
        if self.terminal && line.starts_with("TASK [") {
            let task: String = line.trim_end_matches(['*', ' ']).chars().take(70).collect();
            eprint!(
                "\r\x1b[K  kolla-ansible {} {:>4}s  {task}",
                self.action,
                self.started.elapsed().as_secs()
            );
        }
    }

    fn done(&self, ok: bool) {
        let how = if ok { "finished" } else { "FAILED" };
        let clear = if self.terminal { "\r\x1b[K" } else { "" };
        eprintln!(
            "{clear}  kolla-ansible {} {how} after {}s",
            self.action,
            self.started.elapsed().as_secs()
        );
    }
}

/// Whether actions run a stand-in for kolla-ansible: [`PROGRAM_ENV`] names
/// a program whose file name says `stand-in`. A rehearsal runs actions only then.
pub fn stand_in() -> bool {
    std::env::var_os(PROGRAM_ENV).is_some_and(|p| {
        Path::new(&p)
            .file_name()
            .is_some_and(|n| n.to_string_lossy().contains("stand-in"))
    })
}

/// The program for actions: [`PROGRAM_ENV`] if set, else the venv's.
pub fn program(venv_bin: &Path) -> PathBuf {
    std::env::var_os(PROGRAM_ENV).map_or_else(|| venv_bin.join("kolla-ansible"), PathBuf::from)
}
