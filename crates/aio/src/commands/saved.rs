//! Plans saved by `aio plan --out FILE` and carried out by `aio apply FILE`.
//! The file holds the plan, where it was made (topology, its digest,
//! namespace, state dir), so the apply targets exactly the same system.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use std::collections::BTreeSet;

use aio_engine::Plan;
use serde_json::Value;

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

/// What differs between the plan `saved` and the plan made `now`, as lines
/// for a person. Every part of a plan counts, as the plan's document holds
/// it: the facts, each change whole (its attributes, dependencies and the
/// provider's detail, such as Kolla's actions), what waits, what cannot be
/// observed, what is released or adoptable, and the scope.
pub fn differences(saved: &Plan, now: &Plan) -> Vec<String> {
    let (Ok(Value::Object(a)), Ok(Value::Object(b))) =
        (serde_json::to_value(saved), serde_json::to_value(now))
    else {
        return vec!["the plan cannot be written as a document".into()];
    };
    let mut out = Vec::new();
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for key in keys {
        let (x, y) = (a.get(key), b.get(key));
        if x == y {
            continue;
        }
        match key.as_str() {
            "changes" => out.extend(changes(x, y)),
            "facts" => out.extend(facts(x, y)),
            "waiting" => out.push("what waits".into()),
            "unavailable" => out.push("what cannot be observed".into()),
            "released" => out.push("what is no longer aio's".into()),
            "adoptable" => out.push("what aio adopt would take over".into()),
            "scope" => out.push("what the plan covers (--target)".into()),
            other => out.push(other.replace('_', " ")),
        }
    }
    out
}

/// The changes only one side has, each compared whole, as plan lines.
fn changes(saved: Option<&Value>, now: Option<&Value>) -> Vec<String> {
    let list = |v: Option<&Value>| v.and_then(Value::as_array).cloned().unwrap_or_default();
    let (saved, now) = (list(saved), list(now));
    let show = |c: &Value, side: &str| {
        let action = serde_json::from_value::<aio_engine::Action>(c["action"].clone())
            .map_or("?", aio_engine::Action::symbol);
        let id = c["id"].as_str().unwrap_or("?");
        format!("{action} {id} ({side})")
    };
    let only = |x: &[Value], y: &[Value], side: &str| {
        let mut left: Vec<&Value> = y.iter().collect();
        let mut out = Vec::new();
        for c in x {
            match left.iter().position(|k| *k == c) {
                Some(i) => drop(left.remove(i)),
                None => out.push(show(c, side)),
            }
        }
        out
    };
    let mut out = only(&saved, &now, "as saved");
    out.extend(only(&now, &saved, "as now"));
    out
}

/// The facts that differ, with their value now (what the file claims is
/// not repeated: it may be forged): `fact uplink: eth1 now`.
fn facts(saved: Option<&Value>, now: Option<&Value>) -> Vec<String> {
    let map = |v: Option<&Value>| v.and_then(Value::as_object).cloned().unwrap_or_default();
    let (saved, now) = (map(saved), map(now));
    let keys: BTreeSet<&String> = saved.keys().chain(now.keys()).collect();
    keys.into_iter()
        .filter(|k| saved.get(*k) != now.get(*k))
        .map(|k| match now.get(k).and_then(Value::as_str) {
            Some(v) => format!("fact {k}: {v} now, not as saved"),
            None => format!("fact {k}: none now, not as saved"),
        })
        .collect()
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
