//! The host's side of NFS as aio reads and changes it: the kernel's NFS
//! server, the export table exportfs keeps (`/var/lib/nfs/etab`), the
//! exports files, the exported directories and their owners. Every file
//! is read bounded; every path is checked before it is written: no
//! symbolic link is followed and nothing but a directory is taken as one.
//! `root` is `/` on a host; tests point it at a temporary directory.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use aio_engine::ProviderError;
use aio_fs::Bound;

use crate::exports::{self, MOST_BYTES};

/// The kernel's NFS server threads (0: stopped).
const NFSD_THREADS: &str = "/proc/fs/nfsd/threads";
/// What exportfs last exported, one `PATH\tCLIENT(OPTIONS)` per line.
const ETAB: &str = "/var/lib/nfs/etab";

#[derive(Debug, Clone)]
pub struct System {
    root: PathBuf,
}

impl Default for System {
    fn default() -> Self {
        System { root: "/".into() }
    }
}

impl System {
    pub fn at_root(root: impl Into<PathBuf>) -> System {
        System { root: root.into() }
    }

    fn at(&self, path: &str) -> PathBuf {
        self.root.join(path.trim_start_matches('/'))
    }

    fn read(&self, path: &str) -> Result<Option<String>, ProviderError> {
        match aio_fs::read_text_bounded(&self.at(path), Bound::operators(MOST_BYTES)) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(ProviderError::unreachable(e.to_string())),
        }
    }

    /// Refuses when the kernel's NFS server is not running, with the fix.
    pub fn server_running(&self) -> Result<(), ProviderError> {
        let threads = self.read(NFSD_THREADS).ok().flatten();
        match threads.as_deref().map(str::trim) {
            Some(n) if n != "0" && !n.is_empty() => Ok(()),
            _ => Err(ProviderError::unreachable(
                "the NFS server is not running (no nfsd threads in /proc/fs/nfsd): \
                 `apt-get install nfs-kernel-server`, then `systemctl enable --now nfs-server`",
            )),
        }
    }

    /// aio's drop-in, if there is one; refused when it is not aio's.
    pub fn drop_in(&self) -> Result<Option<String>, ProviderError> {
        let text = self.read(exports::DROP_IN)?;
        match text {
            Some(t) if !exports::is_aios(&t) => Err(ProviderError::refused(format!(
                "{} exists and was not written by aio (its first line is not aio's): \
                 move its exports to /etc/exports or another file of /etc/exports.d",
                exports::DROP_IN
            ))),
            other => Ok(other),
        }
    }

    pub fn etc_exports(&self) -> Result<Option<String>, ProviderError> {
        self.read(exports::ETC_EXPORTS)
    }

    /// What is exported now: each path's clients.
    pub fn exported(&self) -> Result<BTreeMap<String, BTreeSet<String>>, ProviderError> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for line in self.read(ETAB)?.unwrap_or_default().lines() {
            let Some((path, rest)) = line.split_once('\t') else {
                continue;
            };
            let client = rest.split('(').next().unwrap_or(rest).to_string();
            out.entry(path.to_string()).or_default().insert(client);
        }
        Ok(out)
    }

    /// `path`'s owner, group and mode, if it is a directory; its kind
    /// (`symlink`, `file`) otherwise; `None` when nothing is there.
    pub fn directory(&self, path: &str) -> Result<Option<Found>, ProviderError> {
        match std::fs::symlink_metadata(self.at(path)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ProviderError::unreachable(format!("{path}: {e}"))),
            Ok(m) if m.file_type().is_symlink() => Ok(Some(Found::Other("symlink"))),
            Ok(m) if !m.is_dir() => Ok(Some(Found::Other("file"))),
            Ok(m) => Ok(Some(Found::Directory {
                uid: m.uid(),
                gid: m.gid(),
                mode: m.permissions().mode() & 0o7777,
            })),
        }
    }

    /// Makes `path` a directory with `mode` owned by `uid:gid`: missing
    /// parents are made 0755 root's; no step may be a symbolic link or
    /// anything but a directory.
    pub fn make_directory(
        &self,
        path: &str,
        uid: u32,
        gid: u32,
        mode: u32,
    ) -> Result<(), ProviderError> {
        let mut at = self.root.clone();
        for part in Path::new(path).components() {
            let Component::Normal(name) = part else {
                continue;
            };
            at.push(name);
            match std::fs::symlink_metadata(&at) {
                Ok(m) if m.file_type().is_symlink() || !m.is_dir() => {
                    return Err(ProviderError::refused(format!(
                        "{} is not a directory (a link or a file): aio will not export through it",
                        at.display()
                    )));
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    std::fs::create_dir(&at).map_err(|e| {
                        ProviderError::failed(format!("mkdir {}: {e}", at.display()))
                    })?;
                    std::fs::set_permissions(&at, std::fs::Permissions::from_mode(0o755)).map_err(
                        |e| ProviderError::failed(format!("chmod {}: {e}", at.display())),
                    )?;
                }
                Err(e) => return Err(ProviderError::failed(format!("{}: {e}", at.display()))),
            }
        }
        std::os::unix::fs::chown(&at, Some(uid), Some(gid)).map_err(|e| {
            ProviderError::failed(format!("chown {uid}:{gid} {}: {e}", at.display()))
        })?;
        std::fs::set_permissions(&at, std::fs::Permissions::from_mode(mode))
            .map_err(|e| ProviderError::failed(format!("chmod {mode:04o} {}: {e}", at.display())))
    }

    /// Writes the drop-in (its directory made if missing), or removes it
    /// when `text` is `None`.
    pub fn write_drop_in(&self, text: Option<&str>) -> Result<(), ProviderError> {
        let path = self.at(exports::DROP_IN);
        match text {
            None => match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(ProviderError::failed(format!("rm {}: {e}", path.display())))
                }
                _ => Ok(()),
            },
            Some(text) => {
                let dir = path.parent().unwrap_or(&self.root).to_path_buf();
                if std::fs::symlink_metadata(&dir).is_err() {
                    std::fs::create_dir_all(&dir).map_err(|e| {
                        ProviderError::failed(format!("mkdir {}: {e}", dir.display()))
                    })?;
                }
                aio_fs::check_dir(&dir).map_err(|e| ProviderError::refused(e.to_string()))?;
                aio_fs::write_atomic(&path, text.as_bytes(), 0o644)
                    .map_err(|e| ProviderError::failed(format!("{}: {e}", path.display())))
            }
        }
    }

    /// Replaces `/etc/exports` whole (keeping its mode), as aio edits it
    /// only to take lines out.
    pub fn write_etc_exports(&self, text: &str) -> Result<(), ProviderError> {
        let path = self.at(exports::ETC_EXPORTS);
        let mode =
            std::fs::symlink_metadata(&path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        aio_fs::write_atomic(&path, text.as_bytes(), mode)
            .map_err(|e| ProviderError::failed(format!("{}: {e}", path.display())))
    }

    /// `exportfs -ra`: the kernel's exports made what the files say.
    pub fn exportfs(&self) -> Result<(), ProviderError> {
        let program =
            aio_child::find_program("exportfs").unwrap_or_else(|| "/usr/sbin/exportfs".into());
        let out = aio_child::output(Command::new(&program).arg("-ra"), None)
            .map_err(|e| ProviderError::unreachable(format!("{}: {e}", program.display())))?;
        if out.status.success() {
            return Ok(());
        }
        Err(ProviderError::failed(format!(
            "exportfs -ra: {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }

    /// The id of user or group `name` (`passwd` or `group`), or the number
    /// itself.
    pub fn id_of(&self, name: &str, database: Database) -> Result<u32, ProviderError> {
        if let Ok(n) = name.parse() {
            return Ok(n);
        }
        let text = self.read(database.path())?.unwrap_or_default();
        text.lines()
            .find_map(|l| {
                let mut f = l.split(':');
                (f.next() == Some(name))
                    .then(|| f.nth(1)?.parse().ok())
                    .flatten()
            })
            .ok_or_else(|| {
                ProviderError::refused(format!(
                    "no {} named {name} in {}",
                    database.what(),
                    database.path()
                ))
            })
    }

    /// How `id` is written in the form `like` is (a number, or a name).
    pub fn shown_as(&self, id: u32, like: &str, database: Database) -> String {
        if like.parse::<u32>().is_ok() {
            return id.to_string();
        }
        let text = self
            .read(database.path())
            .ok()
            .flatten()
            .unwrap_or_default();
        text.lines()
            .find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.get(2) == Some(&id.to_string().as_str())).then(|| f[0].to_string())
            })
            .unwrap_or_else(|| id.to_string())
    }
}

/// What is at an export's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Directory { uid: u32, gid: u32, mode: u32 },
    Other(&'static str),
}

/// Where users or groups are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    Users,
    Groups,
}

impl Database {
    fn path(self) -> &'static str {
        match self {
            Database::Users => "/etc/passwd",
            Database::Groups => "/etc/group",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Database::Users => "user",
            Database::Groups => "group",
        }
    }
}

#[cfg(test)]
#[path = "system_tests.rs"]
mod tests;
