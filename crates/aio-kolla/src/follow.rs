//! Noticing edits of Kolla's files for `aio watch`: inotify on each
//! directory that holds a file aio writes, so that a file edited, replaced,
//! deleted or moved away is announced at once instead of at watch's full
//! check. A directory that does not exist yet (the first apply makes the
//! config dir) is followed through its nearest existing parent until it is
//! made. Where inotify cannot be had (no instance or watch left, a
//! directory that cannot be read), nothing is announced and the full check
//! remains.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::sync::mpsc::UnboundedSender;

use aio_family::Touched;

/// What is heard of each followed directory: its entries written, made,
/// deleted, moved in or out; itself deleted or moved.
const MASK: u32 = libc::IN_CLOSE_WRITE
    | libc::IN_CREATE
    | libc::IN_DELETE
    | libc::IN_MOVED_FROM
    | libc::IN_MOVED_TO
    | libc::IN_DELETE_SELF
    | libc::IN_MOVE_SELF
    | libc::IN_ONLYDIR;
/// `struct inotify_event` before its name: wd, mask, cookie, len.
const EVENT_LEN: usize = 16;
/// What one read may bring: events of many names at once.
const READ: usize = 64 * 1024;

/// Announces `ours` on `changed` whenever one of `files` may have changed
/// (see the module), until `changed` is closed.
pub async fn follow(files: Vec<PathBuf>, ours: Touched, changed: UnboundedSender<Touched>) {
    let Ok(mut followed) = Followed::new(&files) else {
        return;
    };
    while let Ok(events) = followed.next().await {
        if followed.concern(&events) && changed.send(ours.clone()).is_err() {
            return;
        }
    }
}

/// An inotify instance and what it follows.
struct Followed {
    fd: AsyncFd<OwnedFd>,
    /// Each directory holding files aio writes, and their names.
    wanted: BTreeMap<PathBuf, BTreeSet<OsString>>,
    /// The directory each watch descriptor follows.
    watches: HashMap<i32, PathBuf>,
    /// Where a read lands.
    buf: Vec<u8>,
}

/// One event: the directory it came from (if still followed), what
/// happened, and the entry's name.
struct Event {
    dir: Option<PathBuf>,
    mask: u32,
    name: OsString,
}

impl Followed {
    fn new(files: &[PathBuf]) -> io::Result<Followed> {
        let mut wanted: BTreeMap<PathBuf, BTreeSet<OsString>> = BTreeMap::new();
        for file in files {
            if let (Some(dir), Some(name)) = (file.parent(), file.file_name()) {
                wanted
                    .entry(dir.to_path_buf())
                    .or_default()
                    .insert(name.to_os_string());
            }
        }
        // SAFETY: inotify_init1 takes flags only; a valid fd is owned below.
        let raw = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a fresh descriptor nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // SAFETY: the OwnedFd, moved in, stays open and the same until the
        // AsyncFd drops it.
        let fd = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }
            .map_err(io::Error::from)?;
        let mut followed = Followed {
            fd,
            wanted,
            watches: HashMap::new(),
            buf: vec![0; READ],
        };
        followed.arm();
        Ok(followed)
    }

    /// Follows each wanted directory, or its nearest existing parent while
    /// it does not exist, and stops following a parent no longer needed.
    fn arm(&mut self) {
        let dirs: BTreeSet<PathBuf> = self.wanted.keys().filter_map(|d| nearest(d)).collect();
        let fd = self.fd.get_ref().as_raw_fd();
        self.watches.retain(|wd, dir| {
            let keep = dirs.contains(dir);
            if !keep {
                // SAFETY: a watch descriptor of this instance.
                unsafe { libc::inotify_rm_watch(fd, *wd) };
            }
            keep
        });
        for dir in dirs {
            if self.watches.values().any(|d| *d == dir) {
                continue;
            }
            let Ok(path) = CString::new(dir.as_os_str().as_bytes()) else {
                continue;
            };
            // SAFETY: a NUL-terminated path and the instance's descriptor.
            let wd = unsafe { libc::inotify_add_watch(fd, path.as_ptr(), MASK) };
            if wd >= 0 {
                self.watches.insert(wd, dir);
            }
        }
    }

    /// The events of one read, waiting for them.
    async fn next(&mut self) -> io::Result<Vec<Event>> {
        loop {
            let mut ready = self.fd.readable().await?;
            let mut buf = std::mem::take(&mut self.buf);
            let read = ready.try_io(|fd| {
                // SAFETY: reads at most `buf.len()` bytes into `buf`.
                let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
                usize::try_from(n).map_err(|_| io::Error::last_os_error())
            });
            let events = match read {
                Ok(Ok(n)) => Some(Ok(self.events(&buf[..n]))),
                Ok(Err(e)) => Some(Err(e)),
                Err(_would_block) => None,
            };
            self.buf = buf;
            if let Some(events) = events {
                return events;
            }
        }
    }

    fn events(&mut self, mut b: &[u8]) -> Vec<Event> {
        let mut out = Vec::new();
        while b.len() >= EVENT_LEN {
            let word = |at: usize| u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
            let (wd, mask, len) = (word(0) as i32, word(4), word(12) as usize);
            let end = (EVENT_LEN + len).min(b.len());
            let raw = &b[EVENT_LEN..end];
            let name = &raw[..raw.iter().position(|c| *c == 0).unwrap_or(raw.len())];
            out.push(Event {
                dir: self.watches.get(&wd).cloned(),
                mask,
                name: OsStr::from_bytes(name).to_os_string(),
            });
            if mask & libc::IN_IGNORED != 0 {
                self.watches.remove(&wd);
            }
            b = &b[end..];
        }
        out
    }

    /// Whether `events` may concern a file aio writes. A directory made,
    /// deleted or moved, a followed directory's watch gone (unmounted), or
    /// events lost, arm the watches anew: a followed directory may have
    /// come or gone. The watch of a parent [`Followed::arm`] gave up is
    /// gone too, and is no news.
    fn concern(&mut self, events: &[Event]) -> bool {
        let mut concern = false;
        let mut rearm = false;
        for e in events {
            let whole =
                libc::IN_ISDIR | libc::IN_DELETE_SELF | libc::IN_MOVE_SELF | libc::IN_Q_OVERFLOW;
            let gone = e.mask & libc::IN_IGNORED != 0 && e.dir.is_some();
            if e.mask & whole != 0 || gone {
                rearm = true;
                concern = true;
            }
            let ours = e
                .dir
                .as_ref()
                .and_then(|d| self.wanted.get(d))
                .is_some_and(|names| names.contains(&e.name));
            concern |= ours;
        }
        if rearm {
            self.arm();
        }
        concern
    }
}

/// `dir`, or its nearest parent that exists, as a directory.
fn nearest(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find(|d| d.is_dir()).map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::sync::mpsc;

    /// Waits up to a minute for an announcement.
    async fn heard(rx: &mut mpsc::UnboundedReceiver<Touched>) -> bool {
        tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .is_ok_and(|t| t.is_some())
    }

    /// Nothing announced within half a second (a quiet directory stays quiet).
    async fn nothing(rx: &mut mpsc::UnboundedReceiver<Touched>) -> bool {
        tokio::time::timeout(Duration::from_millis(500), rx.recv())
            .await
            .is_err()
    }

    #[tokio::test]
    async fn edits_of_followed_files_are_heard_even_in_a_directory_made_later() {
        let root = tempfile::tempdir().unwrap();
        let etc = root.path().join("kolla");
        let globals = etc.join("globals.d/aio.yml");
        let ini = etc.join("config/neutron/ml2_conf.ini");
        let (tx, mut rx) = mpsc::unbounded_channel();
        let ours = Touched::from(vec![crate::resource_id()]);
        tokio::spawn(follow(vec![globals.clone(), ini.clone()], ours, tx));
        tokio::task::yield_now().await;

        // The config dir made, as the first apply does.
        std::fs::create_dir_all(globals.parent().unwrap()).unwrap();
        assert!(heard(&mut rx).await, "the config dir made");
        std::fs::write(&globals, "a: 1\n").unwrap();
        assert!(heard(&mut rx).await, "globals written");
        while !nothing(&mut rx).await {}

        // Another file beside it is no concern of aio's.
        std::fs::write(globals.with_file_name("mine.yml"), "b: 2\n").unwrap();
        assert!(nothing(&mut rx).await, "someone else's file");

        std::fs::write(&globals, "a: 2\n").unwrap();
        assert!(heard(&mut rx).await, "globals edited");
        std::fs::remove_file(&globals).unwrap();
        assert!(heard(&mut rx).await, "globals deleted");

        std::fs::create_dir_all(ini.parent().unwrap()).unwrap();
        while !nothing(&mut rx).await {}
        std::fs::write(&ini, "[ml2]\n").unwrap();
        assert!(
            heard(&mut rx).await,
            "an override in a directory made later"
        );
    }
}
