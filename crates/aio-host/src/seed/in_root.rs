//! Files under `--root`, never left: every path is resolved by the kernel
//! with `openat2(RESOLVE_IN_ROOT)`, so `..` stops at the root and a
//! symlink, absolute or not, is followed as if the root were `/` (as a
//! system booted from that root would see it). Only regular files are
//! read, and at most a bounded number of bytes; a link is removed relative
//! to the directory that holds it, opened inside the root.

use std::ffi::{CStr, CString, OsStr};
use std::fmt;
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// At most this many entries are listed in one directory.
const MOST_ENTRIES: usize = 100_000;

/// `struct open_how` of `openat2(2)` (libc's cannot be built outside libc).
#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

/// A directory tree, opened once, that no path read through it leaves.
pub(crate) struct Root {
    fd: OwnedFd,
    path: PathBuf,
}

/// Why a file under the root was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadRefusal {
    Missing,
    /// A directory, a FIFO, a device, a socket: only regular files are read.
    NotRegular,
    /// Larger than the bound for its kind.
    TooLarge {
        most: u64,
    },
    /// Not UTF-8 text.
    NotText,
    Io(String),
}

impl fmt::Display for ReadRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadRefusal::Missing => write!(f, "it does not exist"),
            ReadRefusal::NotRegular => write!(f, "it is not a regular file"),
            ReadRefusal::TooLarge { most } => write!(f, "it is larger than {most} bytes"),
            ReadRefusal::NotText => write!(f, "it is not UTF-8 text"),
            ReadRefusal::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<aio_fs::FsError> for ReadRefusal {
    fn from(e: aio_fs::FsError) -> ReadRefusal {
        match e {
            aio_fs::FsError::NotRegular { .. } => ReadRefusal::NotRegular,
            aio_fs::FsError::TooLarge { most, .. } => ReadRefusal::TooLarge { most },
            aio_fs::FsError::NotText { .. } => ReadRefusal::NotText,
            aio_fs::FsError::Io { source, .. } => ReadRefusal::from(source),
            other => ReadRefusal::Io(other.to_string()),
        }
    }
}

impl From<io::Error> for ReadRefusal {
    fn from(e: io::Error) -> ReadRefusal {
        match e.kind() {
            io::ErrorKind::NotFound => ReadRefusal::Missing,
            _ => ReadRefusal::Io(e.to_string()),
        }
    }
}

/// What a directory entry is, not following a symlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryKind {
    File,
    Dir,
    Symlink,
    Other,
}

impl Root {
    /// Opens `path`, which must be a directory.
    pub(crate) fn open(path: &Path) -> io::Result<Root> {
        let c = c_path(path.as_os_str())?;
        // SAFETY: `c` is a valid NUL-terminated string; the result is checked.
        let fd = unsafe {
            libc::open(
                c.as_ptr(),
                libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        Ok(Root {
            fd: owned(fd)?,
            path: path.to_path_buf(),
        })
    }

    /// Where `rel` is, for people: the root's path joined with it.
    pub(crate) fn shown(&self, rel: &str) -> PathBuf {
        self.path.join(rel.trim_start_matches('/'))
    }

    /// `rel` resolved inside the root and opened with `flags`.
    fn open_in(&self, rel: &str, flags: libc::c_int) -> io::Result<OwnedFd> {
        let rel = rel.trim_start_matches('/');
        let c = c_path(OsStr::new(if rel.is_empty() { "." } else { rel }))?;
        // openat2 refuses flags that do not go with O_PATH.
        let extra = if flags & libc::O_PATH == 0 {
            libc::O_NOCTTY
        } else {
            0
        };
        let how = OpenHow {
            flags: (flags | libc::O_CLOEXEC | extra) as u64,
            mode: 0,
            resolve: libc::RESOLVE_IN_ROOT | libc::RESOLVE_NO_MAGICLINKS,
        };
        loop {
            // SAFETY: `how` and `c` outlive the call, and the size given is
            // that of `how`; the result is checked.
            let fd = unsafe {
                libc::syscall(
                    libc::SYS_openat2,
                    self.fd.as_raw_fd(),
                    c.as_ptr(),
                    &how as *const OpenHow,
                    std::mem::size_of::<OpenHow>(),
                )
            };
            match owned(fd as libc::c_int) {
                // Another resolution raced (a rename in the tree): try again.
                Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => continue,
                Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => {
                    return Err(io::Error::new(
                        io::ErrorKind::Unsupported,
                        "this kernel has no openat2, which aio needs to stay inside the root (Linux 5.6 or later)",
                    ));
                }
                other => return other,
            }
        }
    }

    /// The text of regular file `rel`, at most `most` bytes. Its type is
    /// checked before it is opened for reading (opening a device can act)
    /// and again on what was opened.
    pub(crate) fn read(&self, rel: &str, most: u64) -> Result<String, ReadRefusal> {
        let seen = File::from(self.open_in(rel, libc::O_PATH)?).metadata()?;
        if !seen.file_type().is_file() {
            return Err(ReadRefusal::NotRegular);
        }
        let file = File::from(self.open_in(rel, libc::O_RDONLY | libc::O_NONBLOCK)?);
        let opened = file.metadata()?;
        if (opened.dev(), opened.ino()) != (seen.dev(), seen.ino()) {
            return Err(ReadRefusal::NotRegular);
        }
        let bytes = aio_fs::read_opened(&self.shown(rel), file, most)?;
        String::from_utf8(bytes).map_err(|_| ReadRefusal::NotText)
    }

    /// Directory `rel`, opened inside the root.
    pub(crate) fn dir(&self, rel: &str) -> io::Result<Dir> {
        Ok(Dir {
            fd: self.open_in(rel, libc::O_RDONLY | libc::O_DIRECTORY)?,
        })
    }
}

/// A directory opened inside a [`Root`].
pub(crate) struct Dir {
    fd: OwnedFd,
}

impl Dir {
    /// The names in the directory (`.` and `..` left out, names that are
    /// not UTF-8 too: no unit has one) with what each is.
    pub(crate) fn entries(&self) -> io::Result<Vec<(String, EntryKind)>> {
        let mut names = Vec::new();
        for name in self.names()? {
            if let Ok(kind) = self.kind(&name) {
                names.push((name, kind));
            }
        }
        names.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(names)
    }

    /// What `name` is, without following a symlink.
    pub(crate) fn kind(&self, name: &str) -> io::Result<EntryKind> {
        let c = c_name(name)?;
        // SAFETY: `stat` is plain data, written by the call before it is read.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `c` and `st` outlive the call; the result is checked.
        let rc = unsafe {
            libc::fstatat(
                self.fd.as_raw_fd(),
                c.as_ptr(),
                &mut st,
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(match st.st_mode & libc::S_IFMT {
            libc::S_IFREG => EntryKind::File,
            libc::S_IFDIR => EntryKind::Dir,
            libc::S_IFLNK => EntryKind::Symlink,
            _ => EntryKind::Other,
        })
    }

    /// Removes `name` from this directory if it is a symlink (nothing if
    /// it is not there or is something else).
    pub(crate) fn remove_symlink(&self, name: &str) -> io::Result<()> {
        match self.kind(name) {
            Ok(EntryKind::Symlink) => {}
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        }
        let c = c_name(name)?;
        // SAFETY: `c` outlives the call; the result is checked.
        if unsafe { libc::unlinkat(self.fd.as_raw_fd(), c.as_ptr(), 0) } != 0 {
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::NotFound {
                return Err(e);
            }
        }
        Ok(())
    }

    fn names(&self) -> io::Result<Vec<String>> {
        // SAFETY: duplicating an open descriptor; the result is checked.
        let dup = owned(unsafe { libc::fcntl(self.fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 0) })?;
        let raw = std::os::fd::IntoRawFd::into_raw_fd(dup);
        // SAFETY: `raw` is an open directory descriptor that the stream now owns.
        let stream = unsafe { libc::fdopendir(raw) };
        if stream.is_null() {
            let e = io::Error::last_os_error();
            // SAFETY: the stream did not take `raw`: it is closed here, once.
            drop(unsafe { OwnedFd::from_raw_fd(raw) });
            return Err(e);
        }
        let listed = read_stream(stream);
        // SAFETY: `stream` came from `fdopendir` and is closed once.
        unsafe { libc::closedir(stream) };
        listed
    }
}

/// Every name a directory stream lists, from its start.
fn read_stream(stream: *mut libc::DIR) -> io::Result<Vec<String>> {
    // SAFETY: `stream` is an open directory stream (the duplicate shares
    // its offset with the original descriptor: start again).
    unsafe { libc::rewinddir(stream) };
    let mut names = Vec::new();
    loop {
        // SAFETY: errno is this thread's; cleared to tell the end from an error.
        unsafe { *libc::__errno_location() = 0 };
        // SAFETY: `stream` is open; the entry is read before the next call.
        let entry = unsafe { libc::readdir(stream) };
        if entry.is_null() {
            let e = io::Error::last_os_error();
            return match e.raw_os_error() {
                Some(0) | None => Ok(names),
                Some(_) => Err(e),
            };
        }
        // SAFETY: `d_name` is a NUL-terminated name inside the entry.
        let name = unsafe { CStr::from_ptr((*entry).d_name.as_ptr()) };
        let Ok(name) = name.to_str() else { continue };
        if name == "." || name == ".." {
            continue;
        }
        if names.len() >= MOST_ENTRIES {
            return Err(io::Error::other(format!(
                "more than {MOST_ENTRIES} entries"
            )));
        }
        names.push(name.to_string());
    }
}

fn owned(fd: libc::c_int) -> io::Result<OwnedFd> {
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a descriptor the kernel just returned, owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn c_path(path: &OsStr) -> io::Result<CString> {
    CString::new(path.as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

/// One path component: no `/`, not `.` or `..`.
fn c_name(name: &str) -> io::Result<CString> {
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return Err(io::Error::from(io::ErrorKind::InvalidInput));
    }
    c_path(OsStr::new(name))
}
