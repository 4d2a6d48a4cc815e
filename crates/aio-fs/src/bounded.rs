//! Reading a file whole, bounded: how aio reads every file it reads.
//!
//! - Only a regular file is read. A FIFO, a device, a socket or a directory
//!   is refused by its metadata before it is opened: opening a FIFO blocks
//!   until a writer comes, reading `/dev/zero` never ends, and opening some
//!   devices acts (a tape rewinds, a watchdog starts).
//! - It is opened with `O_NONBLOCK` (a FIFO swapped in after the check does
//!   not block the open) and checked again on the open descriptor.
//! - At most [`Bound::most`] bytes are read: one byte more tells a file that
//!   is too large, whatever its size claims (`/proc` files claim 0).
//! - aio's own files ([`Links::Refuse`]) are never read through a symbolic
//!   link; an operator's files ([`Links::Follow`]) may be one, to a regular
//!   file.

use std::fs::{File, Metadata, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use crate::FsError;

/// Whether a symbolic link at the last step of the path is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// aio's own files (state, record, saved plans): a link is refused.
    Refuse,
    /// An operator's files (topology, Kolla's globals, inventory): a link
    /// to a regular file is read.
    Follow,
}

/// How a kind of file is read: at most `most` bytes, links as `links` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    pub most: u64,
    pub links: Links,
}

const KIB: u64 = 1 << 10;
const MIB: u64 = 1 << 20;

impl Bound {
    /// `state.json`. 1000 links with their addresses write 0.5 MB.
    pub const STATE: Bound = Bound::own(64 * MIB);
    /// A plan saved by `aio plan --out`, which holds attributes before and
    /// after for every change: a few times the state.
    pub const SAVED_PLAN: Bound = Bound::own(64 * MIB);
    /// Small files aio keeps for itself (Kolla's `record.json`, the VIP).
    pub const RECORD: Bound = Bound::own(MIB);
    /// Kolla's configuration (`globals.yml`, `globals.d/*`, `passwords.yml`,
    /// the inventory, the `config/` overrides): kilobytes, even multinode.
    pub const KOLLA_CONFIG: Bound = Bound::operators(4 * MIB);
    /// A systemd unit or drop-in.
    pub const UNIT: Bound = Bound::operators(MIB);
    /// One `/proc/sys` value.
    pub const PROC_SYS: Bound = Bound::operators(64 * KIB);

    /// aio's own file: a symlink is refused.
    pub const fn own(most: u64) -> Bound {
        Bound {
            most,
            links: Links::Refuse,
        }
    }

    /// An operator's file: a symlink to a regular file is read.
    pub const fn operators(most: u64) -> Bound {
        Bound {
            most,
            links: Links::Follow,
        }
    }
}

/// `most` bytes for people: `4 MiB`, `64 KiB`, `100 bytes`.
pub fn shown_size(most: u64) -> String {
    if most >= MIB && most.is_multiple_of(MIB) {
        format!("{} MiB", most / MIB)
    } else if most >= KIB && most.is_multiple_of(KIB) {
        format!("{} KiB", most / KIB)
    } else {
        format!("{most} bytes")
    }
}

/// The whole of `path`, a regular file of at most `bound.most` bytes (see
/// the module).
pub fn read_bounded(path: &Path, bound: Bound) -> Result<Vec<u8>, FsError> {
    let io = |e| FsError::io(path, e);
    let before = match bound.links {
        Links::Refuse => std::fs::symlink_metadata(path),
        Links::Follow => std::fs::metadata(path),
    }
    .map_err(io)?;
    if before.file_type().is_symlink() {
        return Err(FsError::Symlink {
            path: path.to_path_buf(),
        });
    }
    regular(path, &before)?;
    let mut flags = libc::O_NONBLOCK | libc::O_CLOEXEC;
    if bound.links == Links::Refuse {
        flags |= libc::O_NOFOLLOW;
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) if bound.links == Links::Refuse => FsError::Symlink {
                path: path.to_path_buf(),
            },
            _ => io(e),
        })?;
    read_opened(path, file, bound.most)
}

/// The whole of `file`, opened from `path` by the caller: a regular file
/// (what was opened may not be what was looked at) of at most `most` bytes.
pub fn read_opened(path: &Path, file: File, most: u64) -> Result<Vec<u8>, FsError> {
    let io = |e| FsError::io(path, e);
    let opened = file.metadata().map_err(io)?;
    regular(path, &opened)?;
    let too_large = || FsError::TooLarge {
        path: path.to_path_buf(),
        most,
    };
    if opened.len() > most {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0));
    // One byte more than allowed tells a file that is too large.
    file.take(most.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > most {
        return Err(too_large());
    }
    Ok(bytes)
}

/// [`read_bounded`], as UTF-8 text.
pub fn read_text_bounded(path: &Path, bound: Bound) -> Result<String, FsError> {
    String::from_utf8(read_bounded(path, bound)?).map_err(|_| FsError::NotText {
        path: path.to_path_buf(),
    })
}

/// Refuses anything but a regular file, naming what it is.
fn regular(path: &Path, meta: &Metadata) -> Result<(), FsError> {
    let t = meta.file_type();
    let kind = if t.is_file() {
        return Ok(());
    } else if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    };
    Err(FsError::NotRegular {
        path: path.to_path_buf(),
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::time::{Duration, Instant};

    fn tiny(most: u64, links: Links) -> Bound {
        Bound { most, links }
    }

    #[test]
    fn a_regular_file_is_read_whole_up_to_its_bound() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("globals.yml");
        std::fs::write(&path, "x: 1\n").unwrap();
        assert_eq!(
            read_text_bounded(&path, tiny(5, Links::Refuse)).unwrap(),
            "x: 1\n"
        );
        let err = read_bounded(&path, tiny(4, Links::Refuse)).unwrap_err();
        assert!(matches!(err, FsError::TooLarge { most: 4, .. }), "{err}");
        assert!(err.to_string().contains("larger than 4 bytes"), "{err}");
    }

    #[test]
    fn a_link_to_dev_zero_is_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("globals.yml");
        symlink("/dev/zero", &path).unwrap();
        let started = Instant::now();
        let err = read_bounded(&path, Bound::KOLLA_CONFIG).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(30));
        assert!(
            matches!(
                err,
                FsError::NotRegular {
                    kind: "a character device",
                    ..
                }
            ),
            "{err}"
        );
        let said = err.to_string();
        assert!(said.contains(&path.display().to_string()), "{said}");
        // aio's own files are not read through a link at all.
        assert!(matches!(
            read_bounded(&path, Bound::STATE).unwrap_err(),
            FsError::Symlink { .. }
        ));
    }

    #[test]
    fn a_fifo_is_refused_at_once_instead_of_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("inventory");
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid C string; mkfifo does not keep it.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = read_bounded(&path, Bound::KOLLA_CONFIG).unwrap_err();
        assert!(
            matches!(err, FsError::NotRegular { kind: "a FIFO", .. }),
            "{err}"
        );
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }

    #[test]
    fn a_proc_file_that_claims_no_size_is_read_and_bounded() {
        let text =
            read_text_bounded(Path::new("/proc/sys/kernel/ostype"), Bound::PROC_SYS).unwrap();
        assert_eq!(text.trim(), "Linux");
        let err = read_bounded(Path::new("/proc/self/maps"), tiny(16, Links::Follow)).unwrap_err();
        assert!(matches!(err, FsError::TooLarge { .. }), "{err}");
    }

    #[test]
    fn a_missing_file_is_told_apart_and_text_must_be_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let missing = read_bounded(&dir.path().join("none"), Bound::RECORD).unwrap_err();
        assert!(missing.is_not_found(), "{missing}");
        let path = dir.path().join("bin");
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        let err = read_text_bounded(&path, Bound::RECORD).unwrap_err();
        assert!(matches!(err, FsError::NotText { .. }) && !err.is_not_found());
        assert!(
            read_bounded(dir.path(), Bound::RECORD)
                .unwrap_err()
                .to_string()
                .contains("a directory")
        );
    }

    #[test]
    fn sizes_are_shown_in_their_unit() {
        assert_eq!(shown_size(4 << 20), "4 MiB");
        assert_eq!(shown_size(64 << 10), "64 KiB");
        assert_eq!(shown_size(100), "100 bytes");
    }
}
