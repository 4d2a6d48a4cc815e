//! The old installer's boot units: `setup-interfaces.service` and
//! `veth-lbaas.service` re-run `ip link add` and `iptables -A` at every
//! boot, racing aio and adding a masquerade rule each time. `aio adopt`
//! finds them (by name, or by a script that makes a link the topology
//! declares or a masquerade rule), shows them and disables them as
//! `systemctl disable` does: the `*.wants/` links that start them go. The
//! unit files themselves stay.

use std::path::{Path, PathBuf};

use aio_topology::Topology;

/// The names the old installer gives its units.
const NAMES: [&str; 2] = ["setup-interfaces.service", "veth-lbaas.service"];
/// Where enabled units are linked from.
const UNIT_DIR: &str = "etc/systemd/system";

/// A boot unit that does what aio now does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootUnit {
    pub name: String,
    /// Its `ExecStart=` commands.
    pub runs: Vec<String>,
    /// The links that start it at boot (empty: already disabled).
    pub enabled_by: Vec<PathBuf>,
}

/// The old installer's units under `root` (`/` on a real host), enabled or not.
pub fn boot_units(root: &Path, topology: &Topology) -> Vec<BootUnit> {
    let dir = root.join(UNIT_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut units = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if !is_file || !name.ends_with(".service") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let runs: Vec<String> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("ExecStart="))
            .map(str::to_string)
            .collect();
        if NAMES.contains(&name.as_str()) || runs.iter().any(|r| does_our_work(root, r, topology)) {
            units.push(BootUnit {
                enabled_by: links_to(&dir, &name),
                name,
                runs,
            });
        }
    }
    units.sort_by(|a, b| a.name.cmp(&b.name));
    units
}

/// Whether the script `command` runs (read under `root`) makes a link the
/// topology declares, or a masquerade rule.
fn does_our_work(root: &Path, command: &str, topology: &Topology) -> bool {
    let Some(program) = command.split_whitespace().next() else {
        return false;
    };
    let script = root.join(
        program
            .trim_start_matches(['-', '@', '+', '!'])
            .trim_start_matches('/'),
    );
    let Ok(text) = std::fs::read_to_string(script) else {
        return false;
    };
    text.lines().any(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        let makes_link = words
            .windows(4)
            .any(|w| w[..3] == ["ip", "link", "add"] && topology.interfaces.contains_key(w[3]));
        makes_link || (words.contains(&"iptables") && words.contains(&"MASQUERADE"))
    })
}

/// The `*.wants/NAME` and `*.requires/NAME` links in `dir`.
fn links_to(dir: &Path, name: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x == "wants" || x == "requires")
        })
        .map(|d| d.join(name))
        .filter(|link| {
            link.symlink_metadata()
                .is_ok_and(|m| m.file_type().is_symlink())
        })
        .collect();
    out.sort();
    out
}

/// Disables `unit` as `systemctl disable` does: removes the links that start it.
pub fn disable(unit: &BootUnit) -> std::io::Result<()> {
    for link in &unit.enabled_by {
        match std::fs::remove_file(link) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn topology() -> Topology {
        aio_topology::parse_str(
            "t.toml",
            "version = 1\n[interfaces.dummy1]\ntype = \"bridge\"\n",
        )
        .unwrap()
    }

    #[test]
    fn the_installer_units_are_found_by_name_and_by_what_they_run_and_disabled() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let dir = root.join(UNIT_DIR);
        std::fs::create_dir_all(dir.join("multi-user.target.wants")).unwrap();
        std::fs::create_dir_all(root.join("opt")).unwrap();
        std::fs::write(root.join("opt/net.sh"), "ip link add dummy1 type bridge\n").unwrap();
        std::fs::write(
            dir.join("setup-interfaces.service"),
            "[Service]\nExecStart=/usr/local/bin/setup-interfaces.sh\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("custom.service"),
            "[Service]\nExecStart=/opt/net.sh\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("other.service"),
            "[Service]\nExecStart=/bin/true\n",
        )
        .unwrap();
        let wants = dir.join("multi-user.target.wants/setup-interfaces.service");
        symlink(dir.join("setup-interfaces.service"), &wants).unwrap();

        let units = boot_units(&root, &topology());
        let names: Vec<&str> = units.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["custom.service", "setup-interfaces.service"]);
        assert_eq!(units[1].enabled_by, std::slice::from_ref(&wants));
        assert!(units[0].enabled_by.is_empty());

        disable(&units[1]).unwrap();
        assert!(wants.symlink_metadata().is_err());
        assert!(
            dir.join("setup-interfaces.service").exists(),
            "the unit file stays"
        );
    }
}
