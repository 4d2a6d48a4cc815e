//! The files aio writes and trusts (state, lock, Kolla's config, saved plans).
//!
//! - [`private_dir`] makes a directory with a tight mode, and refuses one that
//!   is a symlink, group- or world-writable, or not owned by the user aio runs
//!   as: anyone who can write there could plant what aio reads or follows.
//! - [`write_atomic`] writes a whole file (or [`write_atomic_with`], what a
//!   closure writes): a temp file created exclusively,
//!   with an unpredictable name, in the target's directory, its mode set
//!   before any byte is written, synced, renamed over the target (a symlink
//!   there is replaced, never followed), and the directory synced.
//! - [`read_bounded`] reads every file aio reads: a regular file only, at
//!   most as many bytes as its kind may hold ([`Bound`]), never blocking on
//!   a FIFO, and aio's own files never through a symlink.
//! - [`open_nofollow`] never follows a symlink at the last step.
//! - [`sweep_temps`] removes the temp files a killed run left.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

mod bounded;

pub use bounded::{Bound, Links, read_bounded, read_opened, read_text_bounded, shown_size};

/// Temp files aio makes are named `.NAME.aio-RANDOM.tmp`.
const TEMP_MARK: &str = ".aio-";
const TEMP_SUFFIX: &str = ".tmp";

#[derive(Debug, thiserror::Error)]
pub enum FsError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{} is not safe for aio's files: {why}; {fix}", path.display())]
    Unsafe {
        path: PathBuf,
        why: String,
        fix: String,
    },
    #[error("{}: {kind}, not a regular file (aio reads only regular files: point it at the file itself)", path.display())]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error("{}: a symbolic link, which aio does not follow to its own files (remove the link)", path.display())]
    Symlink { path: PathBuf },
    #[error("{}: larger than {}, the most aio reads of such a file (check that it is the right file)", path.display(), shown_size(*most))]
    TooLarge { path: PathBuf, most: u64 },
    #[error("{}: not UTF-8 text", path.display())]
    NotText { path: PathBuf },
}

impl FsError {
    /// Whether the file (or a directory on its path) does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, FsError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
    }

    fn io(path: &Path, source: io::Error) -> FsError {
        FsError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Makes `dir` (and missing parents) with `mode`, then checks that it is
/// safe: a real directory, owned by this user, writable by nobody else.
pub fn private_dir(dir: &Path, mode: u32) -> Result<(), FsError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(mode)
        .create(dir)
        .map_err(|e| FsError::io(dir, e))?;
    check_dir(dir)
}

/// Refuses a directory others could write to or swap.
pub fn check_dir(dir: &Path) -> Result<(), FsError> {
    let meta = std::fs::symlink_metadata(dir).map_err(|e| FsError::io(dir, e))?;
    let shown = dir.display();
    let unsafe_dir = |why: String, fix: String| FsError::Unsafe {
        path: dir.to_path_buf(),
        why,
        fix,
    };
    if meta.file_type().is_symlink() {
        return Err(unsafe_dir(
            "it is a symbolic link".into(),
            format!("point aio at the real directory, or remove the link {shown}"),
        ));
    }
    if !meta.is_dir() {
        return Err(unsafe_dir(
            "it is not a directory".into(),
            "choose another path".into(),
        ));
    }
    // SAFETY: geteuid cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(unsafe_dir(
            format!(
                "it is owned by uid {}, not by uid {me} that aio runs as",
                meta.uid()
            ),
            format!("run `chown {me} {shown}` if it is yours, or choose another path"),
        ));
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o022 != 0 {
        return Err(unsafe_dir(
            format!("it is group- or world-writable (mode {mode:04o})"),
            format!("run `chmod go-w {shown}`"),
        ));
    }
    Ok(())
}

/// Opens `path` for reading, refusing a symlink at the last step.
pub fn open_nofollow(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Opens (creating with `mode`) a file to update in place, such as a lock,
/// refusing a symlink.
pub fn open_rw_nofollow(path: &Path, mode: u32) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(mode)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Creates, or empties, a file aio writes as it goes (a child's log) with
/// `mode`: refused if `path` is a symlink or anything but a regular file
/// (a FIFO is not waited on).
pub fn create_log(path: &Path, mode: u32) -> io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(mode)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other(format!(
            "{} is not a regular file: aio writes its log only to one it can replace",
            path.display()
        )));
    }
    file.set_len(0)?;
    Ok(file)
}

/// Writes `path` whole with `mode`: see the crate's documentation.
pub fn write_atomic(path: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    let mut tmp = temp_beside(path, mode)?;
    tmp.write_all(contents)?;
    place(tmp, path, mode)
}

/// [`write_atomic`] of what `fill` writes, through a buffer: a large file
/// (the state at thousands of objects) is never held whole in memory. If
/// `fill` fails, the temp file is removed and `path` is left as it was.
pub fn write_atomic_with(
    path: &Path,
    mode: u32,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut tmp = temp_beside(path, mode)?;
    let mut out = io::BufWriter::with_capacity(64 * 1024, tmp.as_file_mut());
    fill(&mut out)?;
    out.flush()?;
    drop(out);
    place(tmp, path, mode)
}

/// Puts a filled temp file (from [`temp_beside`]) in place of `path`: its
/// mode set again (a program that filled it may have made it anew), synced,
/// renamed over `path`, the directory synced.
pub fn place(tmp: tempfile::NamedTempFile, path: &Path, mode: u32) -> io::Result<()> {
    let file = open_nofollow(tmp.path())?;
    file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    file.sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_parent(path)
}

/// A temp file beside `path` for [`write_atomic`], or for a program to fill
/// (kolla-genpwd); [`place`] puts it in place.
pub fn temp_beside(path: &Path, mode: u32) -> io::Result<tempfile::NamedTempFile> {
    let dir = parent(path);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    // tempfile opens with O_CREAT|O_EXCL and the mode given: nothing can be
    // planted at the name, and no byte is ever readable under a wider mode.
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}{TEMP_MARK}"))
        .suffix(TEMP_SUFFIX)
        .permissions(std::fs::Permissions::from_mode(mode))
        .tempfile_in(dir)?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))?;
    Ok(tmp)
}

/// Syncs the directory holding `path`, after a rename into it.
pub fn sync_parent(path: &Path) -> io::Result<()> {
    File::open(parent(path))?.sync_all()
}

/// The directory holding `path` (`.` for a bare file name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Removes the temp files a killed aio left in `dir`, a directory that is
/// aio's own (call with the state lock held: no other aio is writing).
/// Returns how many were removed.
pub fn sweep_temps(dir: &Path) -> io::Result<usize> {
    sweep(dir, |_| true)
}

/// Removes the temp files a killed aio left in `dir`, a directory it shares
/// (an operator's `/etc/kolla`): only those of the files `ours` names,
/// which aio writes there. Returns how many were removed.
pub fn sweep_temps_of(dir: &Path, ours: &[&str]) -> io::Result<usize> {
    sweep(dir, |name| {
        ours.iter().any(|file| {
            name.strip_prefix('.')
                .and_then(|n| n.strip_prefix(file))
                .is_some_and(|n| n.starts_with(TEMP_MARK))
        })
    })
}

/// Removes what in `dir` is named as aio names a temp file and passes
/// `wanted`: a file or a link (removed as a link, never followed), never
/// a directory.
fn sweep(dir: &Path, wanted: impl Fn(&str) -> bool) -> io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let temp = name.starts_with('.') && name.contains(TEMP_MARK) && name.ends_with(TEMP_SUFFIX);
        let plain = entry.file_type().is_ok_and(|t| !t.is_dir());
        if temp && plain && wanted(&name) {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The SHA-256 of `bytes`, in lowercase hex: how aio fingerprints files and inputs.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn an_atomic_write_replaces_a_planted_symlink_instead_of_following_it() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let target = dir.path().join("state.json");
        symlink(&victim, &target).unwrap();
        write_atomic(&target, b"{}", 0o600).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        let meta = std::fs::symlink_metadata(&target).unwrap();
        assert!(meta.is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn a_log_is_never_written_through_a_link_or_into_a_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let log = dir.path().join("deploy.log");
        symlink(&victim, &log).unwrap();
        assert!(create_log(&log, 0o600).is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");

        let fifo = dir.path().join("fifo.log");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid path; mkfifo only makes the node.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(
            create_log(&fifo, 0o600).is_err(),
            "no reader: open would wait"
        );

        // A log of an earlier run is emptied, and the new one written.
        let earlier = dir.path().join("venv.log");
        std::fs::write(&earlier, "an earlier, longer run").unwrap();
        let mut file = create_log(&earlier, 0o600).unwrap();
        std::io::Write::write_all(&mut file, b"now").unwrap();
        assert_eq!(std::fs::read_to_string(&earlier).unwrap(), "now");
    }

    #[test]
    fn in_a_shared_directory_only_the_temps_of_aios_files_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str| dir.path().join(name);
        // A killed aio's temp of a file it writes there, and one of its own.
        let left = temp_beside(&at("passwords.yml"), 0o600).unwrap();
        let left = left.into_temp_path().keep().unwrap();
        std::fs::write(at(".notes.txt.aio-x1.tmp"), "the operator's").unwrap();
        std::fs::create_dir(at(".passwords.yml.aio-dir.tmp")).unwrap();
        std::fs::write(at("passwords.yml"), "kept").unwrap();

        let removed = sweep_temps_of(dir.path(), &["passwords.yml", "inventory"]).unwrap();
        assert_eq!(removed, 1);
        assert!(!left.exists());
        assert!(
            at(".notes.txt.aio-x1.tmp").exists(),
            "not a file aio writes"
        );
        assert!(at(".passwords.yml.aio-dir.tmp").is_dir(), "a directory");
        assert!(at("passwords.yml").exists());

        // In a directory of aio's own, any temp of aio's, never a directory.
        assert_eq!(sweep_temps(dir.path()).unwrap(), 1);
        assert!(!at(".notes.txt.aio-x1.tmp").exists());
        assert!(at(".passwords.yml.aio-dir.tmp").is_dir());
    }

    #[test]
    fn a_write_that_fails_halfway_leaves_the_file_and_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("state.json");
        std::fs::write(&target, "old").unwrap();
        let big = vec![b'x'; 200 * 1024];
        let err = write_atomic_with(&target, 0o600, |out| {
            out.write_all(&big)?;
            Err(io::Error::other("serializer failed"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "serializer failed");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "{names:?}");

        write_atomic_with(&target, 0o600, |out| out.write_all(&big)).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), big);
    }

    #[test]
    fn reads_refuse_symlinks_and_unsafe_dirs_are_named_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::write(&real, "x").unwrap();
        let link = dir.path().join("link");
        symlink(&real, &link).unwrap();
        assert!(read_bounded(&link, Bound::STATE).is_err());
        let open = dir.path().join("open");
        private_dir(&open, 0o700).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = private_dir(&open, 0o700).unwrap_err().to_string();
        assert!(
            err.contains("world-writable") && err.contains("chmod go-w"),
            "{err}"
        );
        let dirlink = dir.path().join("dirlink");
        symlink(dir.path().join("real"), &dirlink).unwrap();
        assert!(
            check_dir(&dirlink)
                .unwrap_err()
                .to_string()
                .contains("symbolic link")
        );
    }

    #[test]
    fn stale_temp_files_are_swept_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let keep = dir.path().join("passwords.yml");
        std::fs::write(&keep, "a: b").unwrap();
        let tmp = temp_beside(&keep, 0o640).unwrap();
        let (_, path) = tmp.keep().unwrap();
        assert_eq!(sweep_temps(dir.path()).unwrap(), 1);
        assert!(!path.exists() && keep.exists());
    }
}
