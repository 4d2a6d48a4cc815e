//! The Python virtual environment kolla-ansible lives in.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::KollaError;
use crate::progress::{self, Speaker};

pub struct Venv {
    pub dir: PathBuf,
}

impl Venv {
    pub fn new(dir: impl Into<PathBuf>) -> Venv {
        Venv { dir: dir.into() }
    }

    pub fn bin(&self, program: &str) -> PathBuf {
        self.dir.join("bin").join(program)
    }

    /// What kolla-ansible ships: example configuration, inventories, playbooks.
    pub fn share(&self) -> PathBuf {
        self.dir.join("share/kolla-ansible")
    }

    /// The installed kolla-ansible version, from its package metadata.
    pub fn version(&self) -> Option<String> {
        let lib = std::fs::read_dir(self.dir.join("lib")).ok()?;
        for python in lib.flatten() {
            let site = python.path().join("site-packages");
            for entry in std::fs::read_dir(site).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if let Some(version) = name
                    .strip_prefix("kolla_ansible-")
                    .and_then(|n| n.strip_suffix(".dist-info"))
                {
                    return Some(version.to_string());
                }
            }
        }
        None
    }

    /// Creates the venv if needed and installs `package` into it; pip's
    /// output goes to `log`, its progress to stderr.
    pub fn install(&self, package: &str, log: &Path) -> Result<(), KollaError> {
        crate::files::make_dir(log.parent().unwrap_or(Path::new(".")))
            .map_err(|e| KollaError::io(log, e))?;
        let mut out = aio_fs::create_log(log, 0o600).map_err(|e| KollaError::io(log, e))?;
        let mut run = |program: &Path, args: &[&str], label: &str| -> Result<(), KollaError> {
            let mut command = Command::new(program);
            command.args(args);
            let (status, _) = progress::run(&mut command, label, Speaker::Pip, &mut out, log)
                .map_err(|e| KollaError::Venv(format!("cannot run {}: {e}", program.display())))?;
            if status.success() {
                Ok(())
            } else {
                Err(KollaError::Venv(format!(
                    "`{} {}` failed ({status}); see {}",
                    program.display(),
                    args.join(" "),
                    log.display()
                )))
            }
        };
        if !self.bin("python").exists() {
            run(
                Path::new("python3"),
                &["-m", "venv", &self.dir.display().to_string()],
                "python3 -m venv",
            )?;
        }
        run(
            &self.bin("pip"),
            &["install", "--disable-pip-version-check", package],
            &format!("pip install {package}"),
        )
    }
}
