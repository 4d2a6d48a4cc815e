//! Run work inside a named network namespace (`/run/netns/NAME`, as made by
//! `ip netns add`) without moving the caller.
//!
//! `setns(2)` changes the namespace of the calling *thread*. Doing that on a
//! thread some runtime may reuse (a tokio worker, a blocking pool) would leak
//! the namespace into unrelated work, so [`run_in`] spawns a thread of its
//! own, enters the namespace there, runs the closure and lets the thread end.
//! Sockets keep the namespace they were created in, so a netlink socket made
//! inside the closure keeps working from any thread afterwards; child
//! processes spawned inside it inherit the namespace.

use std::fs::File;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum NetnsError {
    #[error("\"{0}\" is not a network namespace name (no `/`, not empty, not `.` or `..`)")]
    BadName(String),
    #[error("network namespace \"{name}\" not found at {}: {source} (create it with `ip netns add {name}`)", path.display())]
    Open {
        name: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot enter network namespace \"{name}\": {source}{}", if *source == nix::Error::EPERM { " (aio needs root)" } else { "" })]
    Enter { name: String, source: nix::Error },
    #[error("the thread running in network namespace \"{0}\" panicked")]
    Panicked(String),
}

/// Where `ip netns` keeps the namespace called `name`.
pub fn path(name: &str) -> Result<PathBuf, NetnsError> {
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return Err(NetnsError::BadName(name.to_string()));
    }
    Ok(PathBuf::from("/run/netns").join(name))
}

/// Runs `f` in network namespace `name` (or right here when `None`).
pub fn run_in<T, F>(name: Option<&str>, f: F) -> Result<T, NetnsError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let Some(name) = name else { return Ok(f()) };
    let path = path(name)?;
    let file = File::open(&path).map_err(|source| NetnsError::Open {
        name: name.to_string(),
        path,
        source,
    })?;
    let owned = name.to_string();
    std::thread::spawn(move || {
        nix::sched::setns(&file, nix::sched::CloneFlags::CLONE_NEWNET).map_err(|source| {
            NetnsError::Enter {
                name: owned,
                source,
            }
        })?;
        Ok(f())
    })
    .join()
    .map_err(|_| NetnsError::Panicked(name.to_string()))?
}

/// [`run_in`] for blocking work (file I/O, child processes) from async code:
/// it runs off the runtime's threads, so the runtime keeps serving others.
pub async fn spawn_in<T, F>(name: Option<String>, f: F) -> Result<T, NetnsError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let label = name.clone().unwrap_or_else(|| "(the caller's)".to_string());
    tokio::task::spawn_blocking(move || run_in(name.as_deref(), f))
        .await
        .map_err(|_| NetnsError::Panicked(label))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_escape_run_netns() {
        for bad in ["", "..", "a/b", "."] {
            assert!(matches!(path(bad), Err(NetnsError::BadName(_))), "{bad}");
        }
        assert_eq!(
            path("sandbox").unwrap(),
            PathBuf::from("/run/netns/sandbox")
        );
    }

    #[test]
    fn a_missing_namespace_is_a_clear_error() {
        let err = run_in(Some("aio-no-such-namespace"), || ()).unwrap_err();
        assert!(
            err.to_string()
                .contains("ip netns add aio-no-such-namespace"),
            "{err}"
        );
    }

    #[test]
    fn the_closure_runs_in_the_namespace_and_the_caller_stays() {
        let name = format!("aio-netns-test-{}", std::process::id());
        let made = std::process::Command::new("ip")
            .args(["netns", "add", &name])
            .status();
        assert!(
            made.is_ok_and(|s| s.success()),
            "`ip netns add` failed: tests run as root with iproute2"
        );
        let own = || std::fs::read_link("/proc/thread-self/ns/net").unwrap();
        let before = own();
        let inside = run_in(Some(&name), own).unwrap();
        let _ = std::process::Command::new("ip")
            .args(["netns", "del", &name])
            .status();
        assert_ne!(inside, before);
        assert_eq!(own(), before);
    }
}
