//! The old installer's boot units: `setup-interfaces.service` and
//! `veth-lbaas.service` re-run `ip link add` and `iptables -A` at every
//! boot, racing aio and adding a masquerade rule each time. `aio adopt`
//! disables them as `systemctl disable` does (the `*.wants/` links that
//! start them go; the unit files stay), and only them.
//!
//! A unit is the installer's by what it runs, never by its name alone:
//! every `Exec*=` line of its `[Service]` runs a script (by absolute path,
//! or after a shell) whose every command is one the topology accounts for
//! (see `script` for the list), and at least one command does something.
//! A unit with drop-ins is not the installer's: they could run more. A
//! unit named as the installer names its units, or whose scripts do some
//! of aio's work, but which is not wholly accounted for, is left alone and
//! reported with the first line that is not.
//!
//! Everything is read under the root (`/` on a host, `--root DIR` for an
//! image) without ever leaving it (see `in_root`), files bounded in size.

mod declared;
mod in_root;
mod judge;
mod masquerade;
mod script;
mod shell;
mod unit_file;
mod verdict;

#[cfg(test)]
mod tests;

use std::io;
use std::path::{Path, PathBuf};

use aio_topology::{Facts, Topology};

use declared::Declared;
pub use declared::Unaccounted;
pub use in_root::ReadRefusal;
use in_root::{EntryKind, Root};
use unit_file::UNIT_DIR;
pub use unit_file::UnitShape;
pub use verdict::NotTheInstallers;

/// The names the old installer gives its units.
const NAMES: [&str; 2] = ["setup-interfaces.service", "veth-lbaas.service"];
/// The directories whose links start a unit.
const LINK_DIRS: [&str; 3] = [".wants", ".requires", ".upholds"];

/// The boot units found under a root.
#[derive(Debug, Clone, Default)]
pub struct BootUnits {
    /// Where they were looked for; `None`: not looked for (a namespace
    /// without an explicit root: the host's units are not the namespace's).
    pub root: Option<PathBuf>,
    /// The installer's, enabled or not.
    pub installer: Vec<BootUnit>,
    /// Units that look like the installer's but do more than the topology
    /// accounts for: never touched.
    pub left_alone: Vec<LeftAlone>,
}

/// A boot unit of the old installer: everything it runs, the topology makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootUnit {
    pub name: String,
    /// Its `Exec*=` commands.
    pub runs: Vec<String>,
    /// The links that start it at boot (empty: already disabled).
    pub enabled_by: Vec<EnabledBy>,
}

/// A link `DIR/NAME` in the unit directory that starts a unit at boot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnabledBy {
    /// `multi-user.target.wants` and the like.
    pub dir: String,
    /// Where it is, for people.
    pub path: PathBuf,
}

/// A unit aio does not touch, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftAlone {
    pub name: String,
    pub why: NotTheInstallers,
}

/// Looking for or disabling boot units failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("cannot look for boot units under {}: {source}", root.display())]
    Root { root: PathBuf, source: io::Error },
    #[error("cannot list {}: {source}", dir.display())]
    List { dir: PathBuf, source: io::Error },
    #[error("cannot disable {unit}: {}: {source}", link.display())]
    Disable {
        unit: String,
        link: PathBuf,
        source: io::Error,
    },
}

impl BootUnits {
    /// Units not looked for.
    pub fn not_looked_for() -> BootUnits {
        BootUnits::default()
    }

    /// The installer's units that are enabled: those `disable` changes.
    pub fn enabled(&self) -> impl Iterator<Item = &BootUnit> {
        self.installer.iter().filter(|u| !u.enabled_by.is_empty())
    }

    /// Disables every enabled unit of the installer as `systemctl disable`
    /// does: removes its links, each only if it is still a symlink, relative
    /// to its directory opened inside the root. How many units were.
    pub fn disable(&self) -> Result<usize, SeedError> {
        let Some(root_path) = &self.root else {
            return Ok(0);
        };
        let root = Root::open(root_path).map_err(|source| SeedError::Root {
            root: root_path.clone(),
            source,
        })?;
        for unit in self.enabled() {
            for link in &unit.enabled_by {
                let failed = |source| SeedError::Disable {
                    unit: unit.name.clone(),
                    link: link.path.clone(),
                    source,
                };
                match root.dir(&format!("{UNIT_DIR}/{}", link.dir)) {
                    Ok(dir) => {
                        dir.remove_symlink(&unit.name).map_err(failed)?;
                    }
                    Err(e) if gone(&e) => {}
                    Err(e) => return Err(failed(e)),
                }
            }
        }
        Ok(self.enabled().count())
    }
}

/// The directory is not there (any more), or is not a directory.
fn gone(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOENT | libc::ENOTDIR))
}

/// The units under `root/etc/systemd/system` (`/` on a real host): the
/// installer's, and those left alone.
pub fn boot_units(root: &Path, topology: &Topology, facts: &Facts) -> Result<BootUnits, SeedError> {
    let declared = Declared { topology, facts };
    let opened = Root::open(root).map_err(|source| SeedError::Root {
        root: root.to_path_buf(),
        source,
    })?;
    let mut found = BootUnits {
        root: Some(root.to_path_buf()),
        ..BootUnits::default()
    };
    let listed = |rel: &str| -> Result<Option<Vec<(String, EntryKind)>>, SeedError> {
        let listing = opened.dir(rel).and_then(|dir| dir.entries());
        match listing {
            Ok(entries) => Ok(Some(entries)),
            Err(e) if gone(&e) => Ok(None),
            Err(source) => Err(SeedError::List {
                dir: opened.shown(rel),
                source,
            }),
        }
    };
    let Some(entries) = listed(UNIT_DIR)? else {
        return Ok(found);
    };
    // The links in each `*.wants`-like directory.
    let mut links: Vec<(String, Vec<String>)> = Vec::new();
    for (dir, kind) in &entries {
        if LINK_DIRS.iter().any(|s| dir.ends_with(s))
            && matches!(kind, EntryKind::Dir | EntryKind::Symlink)
        {
            let inside = listed(&format!("{UNIT_DIR}/{dir}"))?.unwrap_or_default();
            let names = inside
                .into_iter()
                .filter(|(_, k)| *k == EntryKind::Symlink)
                .map(|(n, _)| n)
                .collect();
            links.push((dir.clone(), names));
        }
    }
    for (name, kind) in &entries {
        if !name.ends_with(".service") || !matches!(kind, EntryKind::File | EntryKind::Symlink) {
            continue;
        }
        let drop_ins = format!("{UNIT_DIR}/{name}.d");
        let has_drop_ins = listed(&drop_ins)?.is_some_and(|e| !e.is_empty());
        let judged = judge::judge(
            &opened,
            name,
            declared,
            has_drop_ins.then(|| opened.shown(&drop_ins)),
        );
        match judged.verdict {
            Ok(()) => found.installer.push(BootUnit {
                name: name.clone(),
                runs: judged.runs,
                enabled_by: links
                    .iter()
                    .filter(|(_, names)| names.contains(name))
                    .map(|(dir, _)| EnabledBy {
                        dir: dir.clone(),
                        path: opened.shown(&format!("{UNIT_DIR}/{dir}/{name}")),
                    })
                    .collect(),
            }),
            Err(why) if judged.related || NAMES.contains(&name.as_str()) => {
                found.left_alone.push(LeftAlone {
                    name: name.clone(),
                    why,
                });
            }
            Err(_) => {}
        }
    }
    Ok(found)
}
