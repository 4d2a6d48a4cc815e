//! Plans saved by `aio plan --out FILE` and carried out by `aio apply FILE`.
//! The file holds the plan, where it was made (topology, its digest,
//! namespace, state dir), so the apply targets exactly the same system.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use aio_engine::{Change, Plan};

use crate::Failure;
use crate::cli::{FileArg, Target};

#[derive(Serialize, Deserialize)]
pub struct SavedPlan {
    pub aio_saved_plan: u32,
    pub topology: PathBuf,
    /// SHA-256 of the topology text the plan was made from.
    pub topology_sha256: String,
    pub netns: Option<String>,
    pub state_dir: PathBuf,
    pub plan: Plan,
}

fn digest(path: &Path) -> Result<String, Failure> {
    let bound = aio_fs::Bound::operators(aio_topology::MAX_FILE_BYTES as u64);
    let text = aio_fs::read_bounded(path, bound)
        .map_err(|e| Failure::Refused(format!("cannot read the topology: {e}")))?;
    Ok(aio_fs::sha256_hex(&text))
}

pub fn save(out: &Path, target: &Target, plan: &Plan) -> Result<(), Failure> {
    let topology =
        std::path::absolute(&target.file.path).unwrap_or_else(|_| target.file.path.clone());
    let saved = SavedPlan {
        aio_saved_plan: 1,
        topology_sha256: digest(&topology)?,
        topology,
        netns: target.netns.clone(),
        state_dir: std::path::absolute(target.state_dir()).unwrap_or_else(|_| target.state_dir()),
        plan: plan.clone(),
    };
    let text = serde_json::to_vec_pretty(&saved)
        .map_err(|e| Failure::Refused(format!("cannot write the plan: {e}")))?;
    may_overwrite(out)?;
    // 0600: a plan names the system's objects, and is aio's to read.
    aio_fs::write_atomic(out, &text, 0o600)
        .map_err(|e| Failure::Refused(format!("cannot write {}: {e}", out.display())))
}

/// `--out` may name a new file or an earlier saved plan, nothing else: not a
/// symlink (its target would be replaced), not a file that is not a plan.
fn may_overwrite(out: &Path) -> Result<(), Failure> {
    let refuse = |why: &str| {
        Failure::Refused(format!(
            "{} {why}; nothing was written: give --out a new file name",
            out.display()
        ))
    };
    match std::fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(refuse(&format!("cannot be checked ({e})"))),
        Ok(m) if m.file_type().is_symlink() => Err(refuse("is a symbolic link")),
        Ok(m) if !m.is_file() => Err(refuse("is not a regular file")),
        Ok(_) => {
            let bytes = aio_fs::read_bounded(out, aio_fs::Bound::SAVED_PLAN)
                .map_err(|e| refuse(&format!("cannot be read ({e})")))?;
            let is_plan = serde_json::from_slice::<serde_json::Value>(&bytes)
                .is_ok_and(|v| v.get("aio_saved_plan").is_some());
            if is_plan {
                Ok(())
            } else {
                Err(refuse("exists and is not a plan saved by aio"))
            }
        }
    }
}

/// A saved plan's bytes, checked: the document's shape (unknown actions and
/// keys are errors), its version, and no resource changed twice. What it
/// says is still not trusted: `apply` makes the plan again and compares.
pub fn parse(bytes: &[u8]) -> Result<SavedPlan, String> {
    let saved: SavedPlan = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if saved.aio_saved_plan != 1 {
        return Err(format!(
            "unknown saved-plan version {}",
            saved.aio_saved_plan
        ));
    }
    match saved.plan.changed_twice() {
        Some(id) => Err(format!("{id} is changed twice")),
        None => Ok(saved),
    }
}

/// The saved plan and the target it was made for; refuses one whose topology changed since.
pub fn load(path: &Path) -> Result<(SavedPlan, Target), Failure> {
    let bad = |why: String| {
        Failure::Refused(format!(
            "{} is not a plan saved by `aio plan --out`: {why}",
            path.display()
        ))
    };
    let text =
        aio_fs::read_bounded(path, aio_fs::Bound::SAVED_PLAN).map_err(|e| bad(e.to_string()))?;
    let saved = parse(&text).map_err(bad)?;
    if digest(&saved.topology)? != saved.topology_sha256 {
        return Err(Failure::Refused(format!(
            "{} changed since the plan was saved; nothing was changed: run aio plan again",
            saved.topology.display()
        )));
    }
    let target = Target {
        file: FileArg {
            path: saved.topology.clone(),
        },
        netns: saved.netns.clone(),
        state_dir: Some(saved.state_dir.clone()),
        targets: Vec::new(),
    };
    Ok((saved, target))
}

/// The changes of `a` and `b` that differ (by id, provider, action,
/// attributes and dependencies, each as often as it comes), as plan lines.
pub fn differences(a: &Plan, b: &Plan) -> Vec<String> {
    let key = |c: &Change| {
        (
            c.id.clone(),
            c.provider.clone(),
            c.action,
            c.before.clone(),
            c.after.clone(),
            c.deps.clone(),
        )
    };
    let show = |c: &Change| format!("{} {}", c.action.symbol(), c.id);
    let only = |x: &Plan, y: &Plan| {
        let mut left: Vec<_> = y.changes.iter().map(key).collect();
        let mut out = Vec::new();
        for c in &x.changes {
            match left.iter().position(|k| *k == key(c)) {
                Some(i) => drop(left.remove(i)),
                None => out.push(show(c)),
            }
        }
        out
    };
    let mut out = only(a, b);
    out.extend(only(b, a));
    if out.is_empty()
        && a.waiting.len() + a.unavailable.len() != b.waiting.len() + b.unavailable.len()
    {
        out.push("what waits or cannot be observed".into());
    }
    out
}

/// Refuses `-f`, `--netns` or `--state-dir` given with a saved plan when they
/// name something else than the plan was made for.
pub fn agrees(file: &Path, saved: &SavedPlan, given: &Target) -> Result<(), Failure> {
    let refuse = |what: &str, made: String, now: String| {
        Err(Failure::Refused(format!(
            "{} was made for {what} {made}, not {now}; nothing was changed: leave {what} out, or run aio plan again",
            file.display()
        )))
    };
    if given.netns.is_some() && given.netns != saved.netns {
        return refuse(
            "network namespace",
            place(saved.netns.as_deref()),
            place(given.netns.as_deref()),
        );
    }
    if let Some(dir) = &given.state_dir {
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.clone());
        if dir != saved.state_dir {
            return refuse(
                "--state-dir",
                saved.state_dir.display().to_string(),
                dir.display().to_string(),
            );
        }
    }
    // `-f` left at its default says nothing.
    if given.file.path != Path::new(crate::cli::DEFAULT_FILE) {
        let path =
            std::path::absolute(&given.file.path).unwrap_or_else(|_| given.file.path.clone());
        if path != saved.topology {
            return refuse(
                "-f",
                saved.topology.display().to_string(),
                path.display().to_string(),
            );
        }
    }
    Ok(())
}

/// A network namespace as a person names it.
fn place(netns: Option<&str>) -> String {
    match netns {
        Some(ns) => format!("\"{ns}\""),
        None => "the host's own".to_string(),
    }
}
