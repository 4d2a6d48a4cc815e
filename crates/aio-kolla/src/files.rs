//! Writing under the config dir: whole files, atomically, with tight modes,
//! once [`check_targets`] found every place safe: nothing is written when
//! one of them is not.

use std::path::{Path, PathBuf};

use crate::KollaError;

/// Directories aio makes: owner and group only.
pub const DIR_MODE: u32 = 0o750;
/// Files aio writes: readable by the group (Kolla's), never by others.
pub const FILE_MODE: u32 = 0o640;

/// Makes `dir` and its missing parents with [`DIR_MODE`], refusing one
/// that others could write to.
pub fn make_dir(dir: &Path) -> std::io::Result<()> {
    aio_fs::private_dir(dir, DIR_MODE).map_err(std::io::Error::other)
}

/// Refuses, before anything is written, what aio could not write safely:
/// every directory that exists from `root` down to each target's (see
/// `aio_fs::check_dir`: a real directory, not a symlink, this user's,
/// writable by nobody else), and a target that exists and is neither a
/// regular file nor a symlink (which is replaced, never followed). A target
/// outside `root` has its own directory checked.
pub fn check_targets(root: &Path, targets: &[PathBuf]) -> Result<(), KollaError> {
    let mut dirs: Vec<&Path> = Vec::new();
    for target in targets {
        let mut dir = target.parent();
        while let Some(d) = dir {
            if !dirs.contains(&d) {
                dirs.push(d);
            }
            if d == root || !d.starts_with(root) {
                break;
            }
            dir = d.parent();
        }
    }
    // From the top down: a directory is looked into only once it is safe.
    dirs.sort_by_key(|d| d.components().count());
    for dir in dirs {
        match std::fs::symlink_metadata(dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(KollaError::io(dir, e)),
            Ok(_) => aio_fs::check_dir(dir)?,
        }
    }
    for target in targets {
        match std::fs::symlink_metadata(target) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(KollaError::io(target, e)),
            Ok(m) if m.is_file() || m.file_type().is_symlink() => {}
            Ok(_) => {
                return Err(aio_fs::FsError::Unsafe {
                    path: target.clone(),
                    why: "aio writes a file there, and it is not one".into(),
                    fix: format!("move {} away", target.display()),
                }
                .into());
            }
        }
    }
    Ok(())
}

/// Writes `path` whole, safely (see `aio_fs::write_atomic`), with [`FILE_MODE`].
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    make_dir(path.parent().unwrap_or(Path::new(".")))?;
    aio_fs::write_atomic(path, contents, FILE_MODE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aio_sandbox::files_under;
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

    #[test]
    fn an_unsafe_config_dir_or_target_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("kolla");
        std::fs::create_dir(&config).unwrap();
        let targets = [
            config.join("globals.d/aio.yml"),
            config.join("config/neutron/ml2_conf.ini"),
            config.join("inventory"),
        ];
        check_targets(&config, &targets).unwrap();

        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = check_targets(&config, &targets).unwrap_err().to_string();
        assert!(
            err.contains("world-writable") && err.contains("chmod go-w"),
            "{err}"
        );
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o750)).unwrap();

        // A directory on the way that is a link: written through, it would
        // put aio's files wherever it points.
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, config.join("globals.d")).unwrap();
        let err = check_targets(&config, &targets).unwrap_err().to_string();
        assert!(
            err.contains("symbolic link") && err.contains("globals.d"),
            "{err}"
        );
        std::fs::remove_file(config.join("globals.d")).unwrap();

        // A target that is a directory would fail halfway through the writes.
        std::fs::create_dir(config.join("inventory")).unwrap();
        let err = check_targets(&config, &targets).unwrap_err().to_string();
        assert!(
            err.contains("inventory") && err.contains("not one"),
            "{err}"
        );
        assert_eq!(
            files_under(dir.path()),
            [elsewhere, config.clone(), config.join("inventory")]
        );
    }
}
