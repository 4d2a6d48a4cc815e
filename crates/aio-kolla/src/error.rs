//! Why the Kolla provider stops.

use std::path::{Path, PathBuf};

use crate::yaml;

#[derive(Debug, thiserror::Error)]
pub enum KollaError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    File(#[from] aio_fs::FsError),
    #[error("{}: {source}", path.display())]
    Yaml {
        path: PathBuf,
        source: yaml::YamlError,
    },
    #[error("the kolla venv: {0}")]
    Venv(String),
    #[error("kolla-genpwd failed: {0}")]
    Genpwd(String),
    #[error("kolla-ansible {action} failed ({why}); its output is in {}; the next apply resumes at {action}", log.display())]
    Action {
        action: String,
        why: String,
        log: PathBuf,
    },
    #[error(
        "{} is damaged ({why}): aio cannot tell which Kolla actions ran. Restore it, or remove it to run every action again on the next apply",
        path.display()
    )]
    Record { path: PathBuf, why: String },
    #[error("choosing the VIP: {0}")]
    Vip(String),
    #[error("adopting the Kolla deployment in {}: {why}", config_dir.display())]
    Adopt { config_dir: PathBuf, why: String },
}

impl KollaError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> KollaError {
        KollaError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
