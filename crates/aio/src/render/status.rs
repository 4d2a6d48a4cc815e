//! The standing of each resource, as `aio show` prints it: one line per
//! resource marked converged, drifted, missing, waiting, unavailable or
//! orphaned, with its live values and, under it, what differs or why it waits.

use anstyle::{AnsiColor, Style};
use indexmap::IndexMap;
use serde_json::Value;

use aio_engine::{ResourceStatus, Status};
use aio_host::Contested;

use super::value::{inline, shown};
use crate::output::styled;

/// How many resources stand in each status, every status named.
pub fn summary(all: &[ResourceStatus]) -> Vec<(Status, usize)> {
    Status::ALL
        .into_iter()
        .map(|st| (st, all.iter().filter(|s| s.status == st).count()))
        .collect()
}

/// `3 converged, 1 drifted`: the statuses that have resources.
pub fn counts(all: &[ResourceStatus]) -> String {
    let counts: Vec<String> = summary(all)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(st, n)| format!("{n} {}", st.as_str()))
        .collect();
    counts.join(", ")
}

/// The JSON document of `aio show --json`; `contested` as the running
/// `aio watch` lists it.
pub fn json(
    facts: &IndexMap<String, String>,
    all: &[ResourceStatus],
    contested: &[Contested],
) -> Value {
    let mut doc = serde_json::json!({
        "format_version": 1,
        "facts": facts,
        "resources": all,
        "summary": summary(all)
            .into_iter()
            .map(|(st, n)| (st.as_str().to_string(), Value::from(n)))
            .collect::<serde_json::Map<_, _>>(),
    });
    if !contested.is_empty() {
        doc["contested"] = serde_json::json!(contested);
    }
    doc
}

/// `contested  link/veth-br  another writer keeps changing it: aio watch repairs it every 8 s`
pub fn contested_lines(contested: &[Contested]) -> Vec<String> {
    contested
        .iter()
        .map(|c| {
            let word = styled(colour(AnsiColor::Magenta).bold(), "contested");
            format!(
                "  {word}  {}  another writer keeps changing it: aio watch repairs it every {} s",
                c.id, c.wait_seconds
            )
        })
        .collect()
}

/// Every resource's lines, the status words padded to one width.
pub fn lines(all: &[ResourceStatus], whole: bool) -> Vec<String> {
    let width = all
        .iter()
        .map(|s| s.status.as_str().len())
        .max()
        .unwrap_or(0);
    all.iter().map(|s| line(s, width, whole)).collect()
}

/// `  drifted      link/v-lbaas  kind=veth, peer=v-lbaas-vlan, state=down`
/// and, under it, what differs or why it waits.
fn line(s: &ResourceStatus, width: usize, whole: bool) -> String {
    let word = styled(style(s.status), &format!("{:<width$}", s.status.as_str()));
    let mut out = format!("  {word}  {}", s.id);
    let name = s.id.name();
    let attrs = match (&s.live, &s.wanted) {
        (Some(live), _) => inline(live, name, whole),
        (None, Some(wanted)) if s.status == Status::Missing => {
            let wanted = inline(wanted, name, whole);
            if wanted.is_empty() {
                wanted
            } else {
                format!("(wants {wanted})")
            }
        }
        _ => String::new(),
    };
    if !attrs.is_empty() {
        out.push_str("  ");
        out.push_str(&attrs);
    }
    let indent = " ".repeat(width + 6);
    for d in &s.differences {
        out.push_str(&format!(
            "\n{indent}{}: {} (wants {})",
            d.attribute,
            shown(&d.live, whole),
            shown(&d.wanted, whole)
        ));
    }
    for l in s.detail.iter().flat_map(|d| d.lines()) {
        out.push_str(&format!("\n{indent}{l}"));
    }
    if let Some(reason) = &s.reason {
        out.push_str(&format!("\n{indent}{reason}"));
    }
    out
}

fn colour(c: AnsiColor) -> Style {
    c.on_default()
}

fn style(status: Status) -> Style {
    match status {
        Status::Converged => colour(AnsiColor::Green),
        Status::Drifted => colour(AnsiColor::Yellow),
        Status::Missing => colour(AnsiColor::Red),
        Status::Waiting => colour(AnsiColor::Cyan),
        Status::Unavailable => colour(AnsiColor::Red).bold(),
        Status::Orphaned => colour(AnsiColor::Magenta),
        Status::Conflict => colour(AnsiColor::Red).bold(),
    }
}
