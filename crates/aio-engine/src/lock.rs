//! One writer at a time: an exclusive `flock` on `<state-dir>/lock`, held by
//! apply and destroy for as long as they run. The kernel drops the lock when
//! its holder dies, so a lock left by a killed process never blocks. The
//! file holds the holder's pid, for the message a waiting run gives up with.
//! The guardians of aio's children (see `aio_child`) hold it too, so a killed
//! aio's lock is released only once its children are gone.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another aio (pid {pid}) is applying to {}; waited {:.1} s: try again when it is done", dir.display(), waited.as_secs_f64())]
    Held {
        dir: PathBuf,
        pid: String,
        waited: Duration,
    },
    #[error("{0}")]
    Unsafe(String),
    #[error("cannot lock {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The held lock; dropping it releases it.
#[derive(Debug)]
pub struct StateLock {
    _file: File,
}

impl StateLock {
    /// Takes the lock of `dir`, waiting up to `timeout` for another holder.
    pub fn acquire(dir: &Path, timeout: Duration) -> Result<StateLock, LockError> {
        let path = dir.join("lock");
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        aio_fs::private_dir(dir, crate::state::DIR_MODE)
            .map_err(|e| LockError::Unsafe(e.to_string()))?;
        // Never through a symlink: truncating it would clobber its target.
        let mut file = aio_fs::open_rw_nofollow(&path, 0o600).map_err(io)?;
        let started = Instant::now();
        loop {
            // SAFETY: flock on a descriptor this function owns.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
                break;
            }
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::EWOULDBLOCK) {
                return Err(io(err));
            }
            if started.elapsed() >= timeout {
                let mut pid = String::new();
                // A pid and a newline; never more, whatever was planted.
                let _ = (&file).take(32).read_to_string(&mut pid);
                let pid = if pid.trim().is_empty() {
                    "unknown".into()
                } else {
                    pid.trim().to_string()
                };
                return Err(LockError::Held {
                    dir: dir.to_path_buf(),
                    pid,
                    waited: started.elapsed(),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| write!(file, "{}", std::process::id()))
            .map_err(io)?;
        // Children's guardians hold the lock until a killed aio's children are gone.
        aio_child::keep_in_guardians(Some(file.as_raw_fd()));
        // Temp files a killed run left: nobody else is writing now.
        aio_fs::sweep_temps(dir).map_err(io)?;
        Ok(StateLock { _file: file })
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        aio_child::keep_in_guardians(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_waits_then_gives_up_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let held = StateLock::acquire(dir.path(), Duration::ZERO).unwrap();
        let err = StateLock::acquire(dir.path(), Duration::from_millis(120)).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(held);
        StateLock::acquire(dir.path(), Duration::ZERO).unwrap();
    }
}
