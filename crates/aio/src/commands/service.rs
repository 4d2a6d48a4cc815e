//! `aio service install|uninstall`: the systemd unit `aio.service`, which
//! runs `aio watch -f FILE` from boot on, before Docker starts Kolla's
//! containers. Install writes the unit and runs `systemctl daemon-reload`
//! and `systemctl enable aio.service`; uninstall disables and stops it,
//! removes the unit and reloads. A unit aio did not write, or one that
//! differs, is left alone without `--force`; without systemctl nothing is
//! written.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Failure;
use crate::cli::UnitArgs;

pub const UNIT: &str = "aio.service";
/// The first line of every unit aio writes: how uninstall knows it is aio's.
const MARK: &str = "# Written by `aio service install`; `aio service uninstall` removes it.";

/// The unit that runs `aio watch -f topology` with the binary at `aio`.
pub fn unit(aio: &Path, topology: &Path) -> Result<String, Failure> {
    let exec = format!("{} watch -f {}", arg(aio)?, arg(topology)?);
    Ok(format!(
        "{MARK}
[Unit]
Description=aio: keep the all-in-one OpenStack host plumbing converged
Documentation=man:aio(1)
# Routes and the uplink's address first (aio finds the uplink by the default route).
Wants=network-online.target
After=network-online.target
# Started before Docker, which starts Kolla's containers: aio watch reports
# ready (Type=notify) once its first pass made the host's plumbing
# (veth-ovs, v-lbaas, NAT, sysctls); Kolla's deployment and the br-ex port
# come after. It waits for OVSDB (in those containers) itself.
Before=docker.service
# Keep retrying: the network may come up late.
StartLimitIntervalSec=0

[Service]
Type=notify
NotifyAccess=main
ExecStart={exec}
Restart=on-failure
RestartSec=5s
# SIGTERM stops aio watch between applies.
KillSignal=SIGTERM
TimeoutStopSec=90s

[Install]
WantedBy=multi-user.target
"
    ))
}

/// Where the unit goes and which systemctl to run.
struct Installation {
    path: PathBuf,
    /// `None` with `--no-systemctl`; `Some(None)` when not found on `PATH`.
    systemctl: Option<Option<PathBuf>>,
}

impl Installation {
    fn new(args: &UnitArgs) -> Installation {
        Installation {
            path: args.unit_dir.join(UNIT),
            systemctl: (!args.no_systemctl).then(|| aio_child::find_program("systemctl")),
        }
    }

    /// The systemctl to run, or a refusal (before anything is written) when there is none.
    fn systemctl(&self) -> Result<Option<&Path>, Failure> {
        match &self.systemctl {
            None => Ok(None),
            Some(Some(path)) => Ok(Some(path)),
            Some(None) => Err(Failure::Refused(format!(
                "systemctl not found on PATH: nothing was changed. Without systemd, --no-systemctl writes or removes {} only",
                self.path.display()
            ))),
        }
    }

    /// What would be run, one `would run:` line per call.
    fn say(&self, calls: &[&[&str]]) {
        if self.systemctl.is_none() {
            return;
        }
        for call in calls {
            println!("would run: systemctl {}", call.join(" "));
        }
        if matches!(self.systemctl, Some(None)) {
            println!("(systemctl is not on PATH: without --dry-run this would stop here)");
        }
    }

    fn existing(&self) -> Result<Option<String>, Failure> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&self.path, e)),
        }
    }
}

pub fn install(file: &Path, args: &UnitArgs) -> Result<u8, Failure> {
    let plan = Installation::new(args);
    let topology = std::fs::canonicalize(file).map_err(|e| io(file, e))?;
    // A unit for a file that does not validate would only fail at boot.
    aio_topology::load(&topology)?;
    let aio = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .map_err(|e| Failure::Refused(format!("cannot find the aio binary: {e}")))?;
    let text = unit(&aio, &topology)?;
    let existing = plan.existing()?;
    let same = existing.as_deref() == Some(text.as_str());
    let conflict = existing
        .as_deref()
        .filter(|_| !same && !args.force)
        .map(|old| {
            let whose = if old.starts_with(MARK) {
                "an earlier aio service install (another topology or aio binary)"
            } else {
                "something else than aio"
            };
            format!(
                "{} exists, written by {whose}, and differs from this unit",
                plan.path.display()
            )
        });
    let calls: [&[&str]; 2] = [&["daemon-reload"], &["enable", UNIT]];
    if args.dry_run {
        print!("{text}");
        println!();
        match (&conflict, same) {
            (Some(conflict), _) => println!("would stop: {conflict}; --force replaces it"),
            (None, true) => println!("{} is already this unit", plan.path.display()),
            (None, false) => println!("would write {}", plan.path.display()),
        }
        if conflict.is_none() {
            plan.say(&calls);
        }
        return Ok(0);
    }
    if let Some(conflict) = conflict {
        return Err(Failure::Refused(format!(
            "{conflict}: nothing was changed. --force replaces it; --dry-run shows the new unit"
        )));
    }
    let systemctl = plan.systemctl()?;
    if same {
        println!("{} is already this unit", plan.path.display());
    } else {
        write(&plan.path, &text)?;
        println!("wrote {}", plan.path.display());
    }
    if let Some(systemctl) = systemctl {
        for call in calls {
            run(systemctl, call)?;
        }
        println!(
            "{UNIT} is enabled: it starts at the next boot, or now with `systemctl start {UNIT}`"
        );
    }
    Ok(0)
}

pub fn uninstall(args: &UnitArgs) -> Result<u8, Failure> {
    let plan = Installation::new(args);
    let Some(old) = plan.existing()? else {
        println!("{} does not exist: nothing to do", plan.path.display());
        return Ok(0);
    };
    if !old.starts_with(MARK) && !args.force {
        return Err(Failure::Refused(format!(
            "{} was not written by aio service install: nothing was changed. --force removes it",
            plan.path.display()
        )));
    }
    let before: &[&str] = &["disable", "--now", UNIT];
    let after: &[&str] = &["daemon-reload"];
    if args.dry_run {
        plan.say(&[before]);
        println!("would remove {}", plan.path.display());
        plan.say(&[after]);
        return Ok(0);
    }
    let systemctl = plan.systemctl()?;
    if let Some(systemctl) = systemctl {
        run(systemctl, before)?;
    }
    std::fs::remove_file(&plan.path).map_err(|e| io(&plan.path, e))?;
    println!("removed {}", plan.path.display());
    if let Some(systemctl) = systemctl {
        run(systemctl, after)?;
    }
    Ok(0)
}

/// One ExecStart argument: quoted when it holds anything but plain path
/// characters; `%` and `$` doubled so systemd expands neither.
fn arg(path: &Path) -> Result<String, Failure> {
    let Some(s) = path.to_str() else {
        return Err(Failure::Refused(format!(
            "{} is not UTF-8: a systemd unit cannot name it",
            path.display()
        )));
    };
    if s.chars().any(char::is_control) {
        return Err(Failure::Refused(format!(
            "{s:?} holds a control character: a systemd unit cannot name it"
        )));
    }
    let escaped = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('%', "%%")
        .replace('$', "$$");
    let plain = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@".contains(c));
    Ok(if plain {
        escaped
    } else {
        format!("\"{escaped}\"")
    })
}

/// Writes `text` to `path` whole or not at all, mode 0644.
fn write(path: &Path, text: &str) -> Result<(), Failure> {
    aio_fs::write_atomic(path, text.as_bytes(), 0o644).map_err(|e| io(path, e))
}

fn run(systemctl: &Path, args: &[&str]) -> Result<(), Failure> {
    let shown = format!("systemctl {}", args.join(" "));
    let out = Command::new(systemctl)
        .args(args)
        .output()
        .map_err(|e| Failure::Refused(format!("{shown}: {e}")))?;
    if !out.status.success() {
        return Err(Failure::Refused(format!(
            "{shown} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    println!("ran {shown}");
    Ok(())
}

fn io(path: &Path, e: std::io::Error) -> Failure {
    Failure::Refused(format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_start_arguments_are_quoted_only_when_needed() {
        let a = |s: &str| arg(Path::new(s)).unwrap();
        assert_eq!(a("/usr/local/sbin/aio"), "/usr/local/sbin/aio");
        assert_eq!(
            a("/etc/aio/my topology.toml"),
            "\"/etc/aio/my topology.toml\""
        );
        assert_eq!(a("/srv/100%/$HOME"), "\"/srv/100%%/$$HOME\"");
        assert_eq!(a("/a\"b\\c"), "\"/a\\\"b\\\\c\"");
        assert!(arg(Path::new("/a\nb")).is_err());
    }

    #[test]
    fn the_unit_runs_watch_after_the_network_and_before_docker() {
        let text = unit(
            Path::new("/usr/local/sbin/aio"),
            Path::new("/etc/aio/t.toml"),
        )
        .unwrap();
        assert!(text.starts_with(MARK));
        for line in [
            "ExecStart=/usr/local/sbin/aio watch -f /etc/aio/t.toml",
            "Wants=network-online.target",
            "After=network-online.target",
            "Before=docker.service",
            "WantedBy=multi-user.target",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
        }
    }
}
