//! Writing under the config dir: whole files, atomically, with tight modes.

use std::path::Path;

/// Directories aio makes: owner and group only.
pub const DIR_MODE: u32 = 0o750;
/// Files aio writes: readable by the group (Kolla's), never by others.
pub const FILE_MODE: u32 = 0o640;

/// Makes `dir` and its missing parents with [`DIR_MODE`], refusing one
/// that others could write to.
pub fn make_dir(dir: &Path) -> std::io::Result<()> {
    aio_fs::private_dir(dir, DIR_MODE).map_err(std::io::Error::other)
}

/// Writes `path` whole, safely (see `aio_fs::write_atomic`), with [`FILE_MODE`].
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    make_dir(path.parent().unwrap_or(Path::new(".")))?;
    aio_fs::write_atomic(path, contents, FILE_MODE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writes_whole_files_with_tight_modes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/globals.yml");
        write_atomic(&path, b"x: 1\n").unwrap();
        write_atomic(&path, b"x: 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "x: 2\n");
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            FILE_MODE
        );
        assert_eq!(
            std::fs::metadata(dir.path().join("a"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            DIR_MODE
        );
        assert_eq!(
            std::fs::read_dir(dir.path().join("a/b")).unwrap().count(),
            1,
            "a temp file was left"
        );
    }
}
