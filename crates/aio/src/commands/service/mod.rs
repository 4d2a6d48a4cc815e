//! `aio service install|uninstall`: the systemd unit `aio.service`, which
//! runs `aio watch -f FILE` from boot on, before Docker starts Kolla's
//! containers. Install writes the unit and runs `systemctl daemon-reload`
//! and `systemctl enable aio.service`; uninstall disables and stops it,
//! removes the unit and reloads. Where the Debian package installed the
//! unit, aio writes only a drop-in (`aio.service.d/topology.conf`) that
//! points it at FILE, and leaves the packaged unit to dpkg. A file aio did
//! not write, or one that differs, is left alone without `--force`;
//! without systemctl nothing is written. A topology that does not open and
//! plan on this host, as the unit's `aio watch` opens it, is refused before
//! anything is written ([`fits`]).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Failure;
use crate::cli::UnitArgs;

mod fits;
mod unit;

use unit::{MARK, drop_in};
pub use unit::{UNIT, packaged, unit};

/// The drop-in that points the packaged unit at a topology.
const DROP_IN: &str = "aio.service.d/topology.conf";

/// Where the unit goes and which systemctl to run.
struct Installation {
    /// The file aio writes and removes: the unit, or the packaged unit's drop-in.
    path: PathBuf,
    /// Whether the package installed the unit.
    packaged: bool,
    /// `None` with `--no-systemctl`; `Some(None)` when not found on `PATH`.
    systemctl: Option<Option<PathBuf>>,
}

impl Installation {
    fn new(args: &UnitArgs) -> Installation {
        let packaged = args.package_unit_dir.join(UNIT).is_file();
        Installation {
            path: args.unit_dir.join(if packaged { DROP_IN } else { UNIT }),
            packaged,
            systemctl: (!args.no_systemctl).then(|| aio_child::find_program("systemctl")),
        }
    }

    /// The text of [`Installation::path`] for `topology` run by `aio`.
    fn text(&self, aio: &Path, topology: &Path) -> Result<String, Failure> {
        if self.packaged {
            drop_in(aio, topology)
        } else {
            unit(aio, topology)
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
            outln!("would run: systemctl {}", call.join(" "));
        }
        if matches!(self.systemctl, Some(None)) {
            outln!("(systemctl is not on PATH: without --dry-run this would stop here)");
        }
    }

    fn existing(&self) -> Result<Option<String>, Failure> {
        read(&self.path)
    }

    /// With a packaged unit, a whole unit in the unit dir (which overrides
    /// it), and whether aio wrote it.
    fn shadow(&self, args: &UnitArgs) -> Result<Option<(PathBuf, bool)>, Failure> {
        if !self.packaged {
            return Ok(None);
        }
        let path = args.unit_dir.join(UNIT);
        Ok(read(&path)?.map(|text| (path, text.starts_with(MARK))))
    }
}

pub async fn install(file: &Path, args: &UnitArgs) -> Result<u8, Failure> {
    let plan = Installation::new(args);
    let topology = std::fs::canonicalize(file).map_err(|e| io(file, e))?;
    // A unit for a file that does not validate, or does not plan on this
    // host, would only fail at every start. With --no-systemctl the unit is
    // for another host (an image, a chroot): the file alone is checked.
    if args.no_systemctl {
        aio_topology::load(&topology)?;
    } else {
        fits::check(&topology).await?;
    }
    let aio = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .map_err(|e| Failure::Refused(format!("cannot find the aio binary: {e}")))?;
    let text = plan.text(&aio, &topology)?;
    if plan.packaged {
        outln!(
            "{UNIT} is installed by the package: a drop-in points it at {}",
            topology.display()
        );
    }
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
    // A unit of an install from before the package hides the packaged one.
    let shadow = plan.shadow(args)?;
    let conflict = conflict.or_else(|| {
        let (path, ours) = shadow.as_ref()?;
        (!ours && !args.force).then(|| {
            format!(
                "{} exists, not written by aio, and overrides the packaged unit",
                path.display()
            )
        })
    });
    let calls: [&[&str]; 2] = [&["daemon-reload"], &["enable", UNIT]];
    if args.dry_run {
        if let (Some((path, _)), None) = (&shadow, &conflict) {
            outln!(
                "would remove {}, which overrides the packaged unit",
                path.display()
            );
        }
        out!("{text}");
        outln!();
        match (&conflict, same) {
            (Some(conflict), _) => outln!("would stop: {conflict}; --force replaces it"),
            (None, true) => outln!("{} is already this unit", plan.path.display()),
            (None, false) => outln!("would write {}", plan.path.display()),
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
    if let Some((path, _)) = &shadow {
        std::fs::remove_file(path).map_err(|e| io(path, e))?;
        outln!(
            "removed {}, which overrode the packaged unit",
            path.display()
        );
    }
    if same {
        outln!("{} is already this unit", plan.path.display());
    } else {
        write(&plan.path, &text)?;
        outln!("wrote {}", plan.path.display());
    }
    if let Some(systemctl) = systemctl {
        for call in calls {
            run(systemctl, call)?;
        }
        outln!(
            "{UNIT} is enabled: it starts at the next boot, or now with `systemctl start {UNIT}`"
        );
    }
    Ok(0)
}

pub fn uninstall(args: &UnitArgs) -> Result<u8, Failure> {
    let plan = Installation::new(args);
    let Some(old) = plan.existing()? else {
        outln!("{} does not exist: nothing to do", plan.path.display());
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
        outln!("would remove {}", plan.path.display());
        plan.say(&[after]);
        return Ok(0);
    }
    let systemctl = plan.systemctl()?;
    if let Some(systemctl) = systemctl {
        run(systemctl, before)?;
    }
    std::fs::remove_file(&plan.path).map_err(|e| io(&plan.path, e))?;
    outln!("removed {}", plan.path.display());
    if plan.packaged {
        // The drop-in's directory, when nothing else is in it.
        let _ = plan.path.parent().map(std::fs::remove_dir);
        outln!("the packaged {UNIT} stays installed, disabled: dpkg removes it with the package");
    }
    if let Some(systemctl) = systemctl {
        run(systemctl, after)?;
    }
    Ok(0)
}

fn read(path: &Path) -> Result<Option<String>, Failure> {
    match aio_fs::read_text_bounded(path, aio_fs::Bound::UNIT) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(Failure::Refused(e.to_string())),
    }
}

/// Writes `text` to `path` whole or not at all, mode 0644.
fn write(path: &Path, text: &str) -> Result<(), Failure> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
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
    outln!("ran {shown}");
    Ok(())
}

fn io(path: &Path, e: std::io::Error) -> Failure {
    Failure::Refused(format!("{}: {e}", path.display()))
}
