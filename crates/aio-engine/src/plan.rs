//! A plan is data: the ordered changes that take the system from what was
//! observed to what the topology says, with the facts it was made from.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt::{self, Write as _};

use crate::resource::{Attrs, ResourceId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
    Replace,
}

impl Action {
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Delete => "-",
            Action::Replace => "-/+",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub id: ResourceId,
    pub provider: String,
    pub action: Action,
    /// Observed values of the managed attributes; `None` when creating.
    pub before: Option<Attrs>,
    /// Desired attributes; `None` when deleting.
    pub after: Option<Attrs>,
    pub deps: Vec<ResourceId>,
    /// The provider's fuller account, shown under the change's line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Change {
    /// The attributes that differ, as `(key, before, after)`.
    pub fn differences(&self) -> Vec<(&str, &Value, &Value)> {
        let (Some(before), Some(after)) = (&self.before, &self.after) else {
            return Vec::new();
        };
        after
            .iter()
            .filter_map(|(k, v)| {
                let old = before.get(k).unwrap_or(&Value::Null);
                (old != v).then_some((k.as_str(), old, v))
            })
            .collect()
    }
}

/// A resource the plan leaves for now, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub id: ResourceId,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub change: usize,
    pub delete: usize,
    pub waiting: usize,
    pub unavailable: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    /// What the plan was made from, e.g. `uplink = eth0`.
    pub facts: IndexMap<String, String>,
    /// In execution order.
    pub changes: Vec<Change>,
    /// Changes that must wait for another resource (not an error).
    #[serde(default)]
    pub waiting: Vec<Pending>,
    /// Resources whose provider could not observe them (an error).
    #[serde(default)]
    pub unavailable: Vec<Pending>,
    /// Objects aio owned that are gone or were made again by someone else:
    /// no longer aio's (a note; applying the plan forgets them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub released: Vec<Pending>,
}

impl Plan {
    /// No change to make now (some may still be waiting or unavailable).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Nothing to do, nothing waiting, nothing unknown.
    pub fn is_converged(&self) -> bool {
        self.changes.is_empty() && self.waiting.is_empty() && self.unavailable.is_empty()
    }

    /// A resource the plan changes more than once, if any: no plan aio makes
    /// does, so such a plan is forged or damaged.
    pub fn changed_twice(&self) -> Option<&ResourceId> {
        let mut seen = std::collections::HashSet::new();
        self.changes
            .iter()
            .map(|c| &c.id)
            .find(|id| !seen.insert(*id))
    }

    /// A replacement counts as one creation and one deletion.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            waiting: self.waiting.len(),
            unavailable: self.unavailable.len(),
            ..Summary::default()
        };
        for c in &self.changes {
            match c.action {
                Action::Create => s.create += 1,
                Action::Update => s.change += 1,
                Action::Delete => s.delete += 1,
                Action::Replace => {
                    s.create += 1;
                    s.delete += 1;
                }
            }
        }
        s
    }

    /// The stable JSON document: `facts`, `changes[]` of `{id, action, before, after}`, `summary`.
    pub fn to_json(&self) -> Value {
        let changes: Vec<Value> = self
            .changes
            .iter()
            .map(|c| serde_json::json!({"id": c.id, "provider": c.provider, "action": c.action, "before": c.before, "after": c.after, "detail": c.detail}))
            .collect();
        let mut doc = serde_json::json!({
            "format_version": 1,
            "facts": self.facts,
            "changes": changes,
            "waiting": self.waiting,
            "unavailable": self.unavailable,
            "summary": self.summary(),
        });
        // Optional: present only when something was released.
        if !self.released.is_empty() {
            doc["released"] = serde_json::json!(self.released);
        }
        doc
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} to create, {} to change, {} to delete",
            self.create, self.change, self.delete
        )?;
        if self.waiting > 0 {
            write!(f, ", {} waiting", self.waiting)?;
        }
        if self.unavailable > 0 {
            write!(f, ", {} unavailable", self.unavailable)?;
        }
        Ok(())
    }
}

/// One line per change, then the summary.
impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.changes {
            // A provider's own account replaces the attribute differences.
            let inline = if c.detail.is_some() {
                String::new()
            } else {
                detail(c)
            };
            writeln!(f, "{:>3} {}{}", c.action.symbol(), c.id, inline)?;
            for line in c.detail.iter().flat_map(|d| d.lines()) {
                writeln!(f, "      {line}")?;
            }
        }
        for p in &self.waiting {
            writeln!(f, "  … {}  waiting: {}", p.id, p.reason)?;
        }
        for p in &self.unavailable {
            writeln!(f, "  ! {}  unavailable: {}", p.id, p.reason)?;
        }
        for p in &self.released {
            writeln!(f, "  note: {} released: {}", p.id, p.reason)?;
        }
        if self.is_converged() {
            writeln!(f, "No changes: the system matches the topology.")?;
        }
        write!(f, "{}", self.summary())
    }
}

fn detail(c: &Change) -> String {
    match c.action {
        Action::Create => {
            let shown = c
                .after
                .as_ref()
                .map(|a| inline(a, c.id.name()))
                .unwrap_or_default();
            if shown.is_empty() {
                shown
            } else {
                format!("  ({shown})")
            }
        }
        Action::Delete => String::new(),
        Action::Update | Action::Replace => {
            let mut out = String::from(" ");
            for (i, (k, old, new)) in c.differences().into_iter().enumerate() {
                let sep = if i == 0 { " " } else { ", " };
                let _ = write!(out, "{sep}{k}: {} -> {}", scalar(old), scalar(new));
            }
            out
        }
    }
}

/// `key=value, ...`, leaving out values the resource's name already shows.
fn inline(attrs: &Attrs, name: &str) -> String {
    let in_name = |v: &str| {
        name == v || name.starts_with(&format!("{v}/")) || name.ends_with(&format!("/{v}"))
    };
    attrs
        .iter()
        .map(|(k, v)| (k, scalar(v)))
        .filter(|(_, v)| !in_name(v))
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "none".to_string(),
        other => other.to_string(),
    }
}
