//! The probe's own network namespace, held only by an open file: when the
//! probe ends, or doctor dies however it dies, the kernel frees the
//! namespace and every link in it, and a veth pair goes with either end.
//! Nothing is named under `/run/netns`, so nothing can be left there.

use std::fs::File;
use std::io;

use nix::sched::{CloneFlags, setns, unshare};
use rtnetlink::Handle;

/// A network namespace, by an open file of it.
pub struct Netns {
    file: File,
}

impl Netns {
    /// A new, empty namespace (only `lo`, down).
    pub fn new() -> io::Result<Netns> {
        let file = std::thread::spawn(|| {
            unshare(CloneFlags::CLONE_NEWNET).map_err(io::Error::from)?;
            File::open("/proc/thread-self/ns/net")
        })
        .join()
        .map_err(|_| io::Error::other("the thread making the probe's namespace panicked"))??;
        Ok(Netns { file })
    }

    /// The namespace `name` (`/run/netns/NAME`), or this process's.
    pub fn open(name: Option<&str>) -> io::Result<Netns> {
        let path = match name {
            Some(n) => aio_netns::path(n).map_err(io::Error::other)?,
            None => "/proc/self/ns/net".into(),
        };
        Ok(Netns {
            file: File::open(path)?,
        })
    }

    pub fn try_clone(&self) -> io::Result<Netns> {
        Ok(Netns {
            file: self.file.try_clone()?,
        })
    }

    pub fn file(&self) -> &File {
        &self.file
    }

    /// Runs `f` inside the namespace, on a thread of its own.
    pub fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> io::Result<T> {
        let file = self.file.try_clone()?;
        std::thread::spawn(move || {
            setns(&file, CloneFlags::CLONE_NEWNET).map_err(io::Error::from)?;
            Ok(f())
        })
        .join()
        .map_err(|_| io::Error::other("a thread in the probe's namespace panicked"))?
    }

    /// A netlink handle whose socket lives in the namespace; call from
    /// within a tokio runtime (the connection runs on it).
    pub fn netlink(&self) -> io::Result<Handle> {
        let runtime = tokio::runtime::Handle::current();
        self.run(move || {
            let _guard = runtime.enter();
            let (connection, handle, _) = rtnetlink::new_connection()?;
            runtime.spawn(connection);
            Ok(handle)
        })?
    }
}
