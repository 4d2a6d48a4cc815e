//! Why a `clouds.yaml` gave no credentials.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CloudsError {
    #[error("cannot read clouds.yaml: {0}")]
    Read(#[from] aio_fs::FsError),
    #[error("{}: not YAML: {why}", path.display())]
    NotYaml { path: PathBuf, why: String },
    #[error("{}: line {line}: {why}", path.display())]
    Refused {
        path: PathBuf,
        line: usize,
        why: &'static str,
    },
    #[error("{}: no cloud `{cloud}` under `clouds` (it has: {})", path.display(), if known.is_empty() { "none".to_string() } else { known.join(", ") })]
    NoCloud {
        path: PathBuf,
        cloud: String,
        known: Vec<String>,
    },
    #[error("{}: cloud `{cloud}` has no `{key}`", path.display())]
    MissingKey {
        path: PathBuf,
        cloud: String,
        key: &'static str,
    },
    #[error("{}: cloud `{cloud}`: `{key}` {why}", path.display())]
    BadValue {
        path: PathBuf,
        cloud: String,
        key: &'static str,
        why: String,
    },
}
