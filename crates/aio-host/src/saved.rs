//! Plans saved by `aio plan --out FILE` and carried out by `aio apply FILE`.
//! The file holds the plan's document, and where it was made (topology,
//! its digest, namespace, state dir), so the apply targets exactly the same
//! system. What it says is never trusted: the plan is made again and
//! carried out only if it is the same, whole ([`SavedPlan::verify`]).

use std::fmt;
use std::path::{Path, PathBuf};

use aio_engine::{Action, Plan, ResourceId};
use aio_fs::FsError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Target;

/// The version of a saved plan's wrapping (`aio_saved_plan`).
pub const SAVED_PLAN_VERSION: u32 = 1;

/// A saved plan: the plan's document and what it was made for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPlan {
    pub aio_saved_plan: u32,
    pub topology: PathBuf,
    /// SHA-256 of the topology text the plan was made from.
    pub topology_sha256: String,
    pub netns: Option<String>,
    pub state_dir: PathBuf,
    pub plan: Plan,
    /// The file it was read from (not part of the document).
    #[serde(skip)]
    pub file: PathBuf,
}

/// Why a saved plan is not written, read or carried out.
#[derive(Debug, thiserror::Error)]
pub enum SavedPlanError {
    #[error("{} is not a plan saved by `aio plan --out`: {why}", file.display())]
    NotAPlan { file: PathBuf, why: Unreadable },
    #[error("cannot read the topology: {0}")]
    Topology(FsError),
    #[error("{} changed since the plan was saved; nothing was changed: run aio plan again", .0.display())]
    TopologyChanged(PathBuf),
    /// `-f`, `--netns` or `--state-dir` name something else than the plan was made for.
    #[error("{} was made for {what} {made}, not {now}; nothing was changed: leave {what} out, or run aio plan again", file.display())]
    MadeFor {
        file: PathBuf,
        what: &'static str,
        made: String,
        now: String,
    },
    /// The plan made now is not the one saved.
    #[error("the system changed since {} was made; nothing was changed. Changes that differ now:\n  {}\nRun aio plan again.", file.display(), lines(differences))]
    Changed {
        file: PathBuf,
        differences: Vec<PlanDifference>,
    },
    #[error("{} {why}; nothing was written: give --out a new file name", out.display())]
    NoOverwrite { out: PathBuf, why: Occupied },
    #[error("cannot write the plan: {0}")]
    Unwritable(serde_json::Error),
    #[error("cannot write {}: {error}", out.display())]
    Write { out: PathBuf, error: std::io::Error },
}

/// Why bytes are not a saved plan.
#[derive(Debug, thiserror::Error)]
pub enum Unreadable {
    #[error("{0}")]
    Read(FsError),
    /// Not the document's shape: unknown actions and keys are errors.
    #[error("{0}")]
    Shape(serde_json::Error),
    #[error("unknown saved-plan version {0}")]
    Version(u32),
    /// No plan aio makes changes a resource twice.
    #[error("{0} is changed twice")]
    ChangedTwice(ResourceId),
}

/// What is at `--out` that a plan may not replace.
#[derive(Debug, thiserror::Error)]
pub enum Occupied {
    #[error("cannot be checked ({0})")]
    Unchecked(std::io::Error),
    /// Its target would be replaced.
    #[error("is a symbolic link")]
    Symlink,
    #[error("is not a regular file")]
    NotRegular,
    #[error("cannot be read ({0})")]
    Unreadable(FsError),
    #[error("exists and is not a plan saved by aio")]
    NotAPlan,
}

/// One way a plan made now differs from the plan saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanDifference {
    /// A fact with another value now, given as it is now (what the file
    /// claims is not repeated: it may be forged).
    Fact {
        name: String,
        now: Option<String>,
    },
    /// A change, compared whole, that only one side has.
    Change {
        action: Option<Action>,
        id: String,
        side: Side,
    },
    Waiting,
    Unavailable,
    Released,
    Adoptable,
    /// What the plan covers (`--target`).
    Scope,
    /// A plan that cannot be written as a document, so cannot be compared.
    Unwritable,
}

/// Which plan has a change the other has not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Saved,
    Now,
}

impl fmt::Display for PlanDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanDifference::Fact { name, now: Some(v) } => {
                write!(f, "fact {name}: {v} now, not as saved")
            }
            PlanDifference::Fact { name, now: None } => {
                write!(f, "fact {name}: none now, not as saved")
            }
            PlanDifference::Change { action, id, side } => {
                let symbol = action.map_or("?", Action::symbol);
                let side = match side {
                    Side::Saved => "as saved",
                    Side::Now => "as now",
                };
                write!(f, "{symbol} {id} ({side})")
            }
            PlanDifference::Waiting => f.write_str("what waits"),
            PlanDifference::Unavailable => f.write_str("what cannot be observed"),
            PlanDifference::Released => f.write_str("what is no longer aio's"),
            PlanDifference::Adoptable => f.write_str("what aio adopt would take over"),
            PlanDifference::Scope => f.write_str("what the plan covers (--target)"),
            PlanDifference::Unwritable => f.write_str("the plan cannot be written as a document"),
        }
    }
}

fn lines(differences: &[PlanDifference]) -> String {
    let lines: Vec<String> = differences.iter().map(ToString::to_string).collect();
    lines.join("\n  ")
}

/// What `-f`, `--netns` and `--state-dir` said next to a saved plan; `None`
/// where they were left out (`-f` at its default says nothing).
#[derive(Debug, Clone, Copy, Default)]
pub struct Given<'a> {
    pub file: Option<&'a Path>,
    pub netns: Option<&'a str>,
    pub state_dir: Option<&'a Path>,
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn digest(path: &Path) -> Result<String, SavedPlanError> {
    let bound = aio_fs::Bound::operators(aio_topology::MAX_FILE_BYTES as u64);
    let text = aio_fs::read_bounded(path, bound).map_err(SavedPlanError::Topology)?;
    Ok(aio_fs::sha256_hex(&text))
}

impl SavedPlan {
    /// Writes `plan`, made for `target`, to `out` (0600: a plan names the
    /// system's objects, and is aio's to read). `out` may be a new file or
    /// an earlier saved plan, nothing else.
    pub fn save(out: &Path, target: &Target, plan: &Plan) -> Result<(), SavedPlanError> {
        let topology = absolute(&target.file);
        let saved = SavedPlan {
            aio_saved_plan: SAVED_PLAN_VERSION,
            topology_sha256: digest(&topology)?,
            topology,
            netns: target.netns.clone(),
            state_dir: absolute(&target.state_dir),
            plan: plan.clone(),
            file: out.to_path_buf(),
        };
        let text = serde_json::to_vec_pretty(&saved).map_err(SavedPlanError::Unwritable)?;
        may_overwrite(out).map_err(|why| SavedPlanError::NoOverwrite {
            out: out.to_path_buf(),
            why,
        })?;
        aio_fs::write_atomic(out, &text, 0o600).map_err(|error| SavedPlanError::Write {
            out: out.to_path_buf(),
            error,
        })
    }

    /// The saved plan in `file`; refused if its topology changed since.
    pub fn read(file: &Path) -> Result<SavedPlan, SavedPlanError> {
        let not_a_plan = |why| SavedPlanError::NotAPlan {
            file: file.to_path_buf(),
            why,
        };
        let bytes = aio_fs::read_bounded(file, aio_fs::Bound::SAVED_PLAN)
            .map_err(|e| not_a_plan(Unreadable::Read(e)))?;
        let mut saved = SavedPlan::parse(&bytes).map_err(not_a_plan)?;
        saved.file = file.to_path_buf();
        if digest(&saved.topology)? != saved.topology_sha256 {
            return Err(SavedPlanError::TopologyChanged(saved.topology));
        }
        Ok(saved)
    }

    /// A saved plan's bytes, checked: the document's shape (unknown actions
    /// and keys are errors), its versions, and no resource changed twice.
    /// What it says is still not trusted.
    pub fn parse(bytes: &[u8]) -> Result<SavedPlan, Unreadable> {
        let saved: SavedPlan = serde_json::from_slice(bytes).map_err(Unreadable::Shape)?;
        if saved.aio_saved_plan != SAVED_PLAN_VERSION {
            return Err(Unreadable::Version(saved.aio_saved_plan));
        }
        match saved.plan.changed_twice() {
            Some(id) => Err(Unreadable::ChangedTwice(id.clone())),
            None => Ok(saved),
        }
    }

    /// What the plan was made for, to make it again.
    pub fn target(&self) -> Target {
        Target {
            file: self.topology.clone(),
            netns: self.netns.clone(),
            state_dir: self.state_dir.clone(),
            reruns: Vec::new(),
            targets: Vec::new(),
        }
    }

    /// Refuses `given` options that name something else than the plan was made for.
    pub fn agrees(&self, given: &Given<'_>) -> Result<(), SavedPlanError> {
        let refuse = |what, made: String, now: String| {
            Err(SavedPlanError::MadeFor {
                file: self.file.clone(),
                what,
                made,
                now,
            })
        };
        if given.netns.is_some() && given.netns != self.netns.as_deref() {
            return refuse(
                "network namespace",
                place(self.netns.as_deref()),
                place(given.netns),
            );
        }
        if let Some(dir) = given.state_dir.map(absolute)
            && dir != self.state_dir
        {
            return refuse(
                "--state-dir",
                self.state_dir.display().to_string(),
                dir.display().to_string(),
            );
        }
        if let Some(path) = given.file.map(absolute)
            && path != self.topology
        {
            return refuse(
                "-f",
                self.topology.display().to_string(),
                path.display().to_string(),
            );
        }
        Ok(())
    }

    /// Refuses the saved plan unless `now`, made again, is the same whole.
    pub fn verify(&self, now: &Plan) -> Result<(), SavedPlanError> {
        let differences = differences(&self.plan, now);
        if differences.is_empty() {
            return Ok(());
        }
        Err(SavedPlanError::Changed {
            file: self.file.clone(),
            differences,
        })
    }
}

/// A network namespace as a person names it.
fn place(netns: Option<&str>) -> String {
    match netns {
        Some(ns) => format!("\"{ns}\""),
        None => "the host's own".to_string(),
    }
}

/// `--out` may name a new file or an earlier saved plan, nothing else: not a
/// symlink (its target would be replaced), not a file that is not a plan.
fn may_overwrite(out: &Path) -> Result<(), Occupied> {
    match std::fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Occupied::Unchecked(e)),
        Ok(m) if m.file_type().is_symlink() => Err(Occupied::Symlink),
        Ok(m) if !m.is_file() => Err(Occupied::NotRegular),
        Ok(_) => {
            let bytes = aio_fs::read_bounded(out, aio_fs::Bound::SAVED_PLAN)
                .map_err(Occupied::Unreadable)?;
            let is_plan = serde_json::from_slice::<Value>(&bytes)
                .is_ok_and(|v| v.get("aio_saved_plan").is_some());
            is_plan.then_some(()).ok_or(Occupied::NotAPlan)
        }
    }
}

/// What differs between the plan `saved` and the plan made `now`. Every
/// part of a plan counts, as the plan's document holds it: the facts, each
/// change whole (its attributes, dependencies and the provider's detail,
/// such as Kolla's actions), what waits, what cannot be observed, what is
/// released or adoptable, and the scope. The summary follows from these.
pub fn differences(saved: &Plan, now: &Plan) -> Vec<PlanDifference> {
    let (Ok(Value::Object(a)), Ok(Value::Object(b))) =
        (serde_json::to_value(saved), serde_json::to_value(now))
    else {
        return vec![PlanDifference::Unwritable];
    };
    let differ = |key: &str| a.get(key) != b.get(key);
    let mut out = Vec::new();
    if differ("changes") {
        out.extend(changes(a.get("changes"), b.get("changes")));
    }
    if differ("facts") {
        out.extend(facts(saved, now));
    }
    for (key, difference) in [
        ("waiting", PlanDifference::Waiting),
        ("unavailable", PlanDifference::Unavailable),
        ("released", PlanDifference::Released),
        ("adoptable", PlanDifference::Adoptable),
        ("scope", PlanDifference::Scope),
    ] {
        if differ(key) {
            out.push(difference);
        }
    }
    out
}

/// The changes only one side has, each compared whole.
fn changes(saved: Option<&Value>, now: Option<&Value>) -> Vec<PlanDifference> {
    let list = |v: Option<&Value>| v.and_then(Value::as_array).cloned().unwrap_or_default();
    let (saved, now) = (list(saved), list(now));
    let only = |x: &[Value], y: &[Value], side: Side| {
        let mut left: Vec<&Value> = y.iter().collect();
        let mut out = Vec::new();
        for c in x {
            match left.iter().position(|k| *k == c) {
                Some(i) => drop(left.remove(i)),
                None => out.push(PlanDifference::Change {
                    action: serde_json::from_value(c["action"].clone()).ok(),
                    id: c["id"].as_str().unwrap_or("?").to_string(),
                    side,
                }),
            }
        }
        out
    };
    let mut out = only(&saved, &now, Side::Saved);
    out.extend(only(&now, &saved, Side::Now));
    out
}

/// The facts that differ, with their value now.
fn facts(saved: &Plan, now: &Plan) -> Vec<PlanDifference> {
    let (saved, now) = (&saved.facts, &now.facts);
    let keys: std::collections::BTreeSet<&String> = saved.keys().chain(now.keys()).collect();
    keys.into_iter()
        .filter(|k| saved.get(*k) != now.get(*k))
        .map(|k| PlanDifference::Fact {
            name: k.clone(),
            now: now.get(k).cloned(),
        })
        .collect()
}

#[cfg(test)]
#[path = "saved_tests.rs"]
mod tests;
