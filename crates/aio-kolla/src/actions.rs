//! Running kolla-ansible actions: the venv's `bin` first on PATH, output to a
//! log per action, progress as [`crate::progress`] shows it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::KollaError;
use crate::progress::{self, Speaker};

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
        let mut log =
            aio_fs::create_log(&log_path, 0o600).map_err(|e| KollaError::io(&log_path, e))?;
        let path = format!(
            "{}:{}",
            self.venv_bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut command = Command::new(&self.program);
        command
            .arg(action)
            .arg("-i")
            .arg(&self.inventory)
            .arg("--configdir")
            .arg(&self.config_dir)
            .args(extra)
            .env("PATH", path);
        let label = format!("kolla-ansible {action}");
        let (status, _) =
            progress::run(&mut command, &label, Speaker::Ansible, &mut log, &log_path).map_err(
                |e| KollaError::Action {
                    action: action.into(),
                    why: format!("cannot run {}: {e}", self.program.display()),
                    log: log_path.clone(),
                },
            )?;
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
