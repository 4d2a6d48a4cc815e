//! What can go wrong in a bench run, one variant per kind of failure.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The command line did not parse.
    #[error("{0}")]
    Options(#[from] clap::Error),
    /// A shared xtask step (root check, cargo) failed.
    #[error("{0}")]
    Task(String),
    #[error("{0} is needed")]
    Missing(&'static str),
    #[error("{}: {source}", path.display())]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{command}: {source}")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    #[error("{command}: wait4: {source}")]
    Wait {
        command: String,
        source: std::io::Error,
    },
    /// A timed run ended other than it must.
    #[error("{command} failed (wait status {status}): {stderr}")]
    Exit {
        command: String,
        status: i32,
        stderr: String,
    },
    /// An untimed command failed.
    #[error("{command} failed: {stderr}")]
    Failed { command: String, stderr: String },
    #[error("Ctrl-C handler: {0}")]
    Signal(#[from] ctrlc::Error),
    #[error("interrupted")]
    Interrupted,
    /// aio's namespace and another tool's do not hold the same objects.
    #[error(
        "aio's namespace {aio} and {tool}'s {other} differ: only in aio's {only_aio:?}, only in {tool}'s {only_other:?}"
    )]
    Differ {
        aio: String,
        tool: &'static str,
        other: String,
        only_aio: Vec<String>,
        only_other: Vec<String>,
    },
    #[error("OVS run left {found} ports on br0, not {expected}")]
    OvsPorts { found: usize, expected: usize },
}

impl BenchError {
    /// A failed read or write of `path`.
    pub fn file(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> BenchError {
        let path = path.into();
        move |source| BenchError::File { path, source }
    }

    /// A command (`{command:?}`) that could not be started.
    pub fn spawn(command: &str) -> impl FnOnce(std::io::Error) -> BenchError {
        let command = command.to_string();
        move |source| BenchError::Spawn { command, source }
    }
}
