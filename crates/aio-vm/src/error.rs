//! What can go wrong while building, booting or reaching a VM.

use std::path::PathBuf;

/// A failure of the harness, saying which step and why.
#[derive(Debug, thiserror::Error)]
pub enum VmError {
    /// A program the harness needs could not be started.
    #[error("cannot run {program}: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    /// A program ran and failed.
    #[error("`{command}` failed ({status}): {stderr}")]
    Failed {
        command: String,
        status: String,
        stderr: String,
    },
    /// A file or directory of the harness could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A public key the harness made has no key in it.
    #[error("{path} holds no public key")]
    BadKey { path: PathBuf },
    /// Something did not happen before its deadline.
    #[error("{what} did not happen within {seconds} s")]
    Timeout { what: String, seconds: u64 },
    /// The run was interrupted (Ctrl-C) while waiting.
    #[error("interrupted")]
    Interrupted,
    /// QEMU stopped while it was expected to run.
    #[error("qemu exited ({status}); serial console in {console}")]
    QemuExited { status: String, console: PathBuf },
}

impl VmError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
