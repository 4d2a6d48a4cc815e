//! `aio show`: the live state of everything the topology manages, one line
//! per resource marked converged, drifted, missing, waiting or unavailable
//! (and orphaned: aio's own objects the file dropped), with the live values
//! of its managed attributes and, when drifted, what differs; after the
//! facts (uplink, its address, the VIP). Read from a plan: changes nothing.

use anstyle::{AnsiColor, Style};
use serde_json::Value;

use aio_engine::{Attrs, ResourceStatus, Status, statuses};

use crate::Failure;
use crate::cli::Target;
use crate::output::{styled, verbosity};
use crate::plan_view::LONGEST_VALUE;
use crate::session::Session;

pub async fn run(target: &Target, json: bool) -> Result<u8, Failure> {
    let session = Session::open(target).await?;
    let plan = session.plan().await?;
    let all = statuses(&session.desired, &plan);
    if json {
        let doc = serde_json::json!({
            "format_version": 1,
            "facts": plan.facts,
            "resources": all,
            "summary": summary(&all)
                .into_iter()
                .map(|(st, n)| (st.as_str().to_string(), Value::from(n)))
                .collect::<serde_json::Map<_, _>>(),
        });
        println!("{doc:#}");
        return Ok(0);
    }
    println!("aio show of {}", target.file.path.display());
    for (k, v) in &plan.facts {
        println!("  {k}: {v}");
    }
    println!();
    let width = all
        .iter()
        .map(|s| s.status.as_str().len())
        .max()
        .unwrap_or(0);
    for s in &all {
        anstream::println!("{}", line(s, width));
    }
    let counts: Vec<String> = summary(&all)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(st, n)| format!("{n} {}", st.as_str()))
        .collect();
    println!("\n{}", counts.join(", "));
    if !session.skipped_sysctls.is_empty() {
        let note = styled(crate::output::NOTE, "note:");
        anstream::eprintln!(
            "{note} in a network namespace only net.* sysctls are its own; left out: {}",
            session.skipped_sysctls.join(", ")
        );
    }
    Ok(0)
}

/// How many resources stand in each status, every status named.
fn summary(all: &[ResourceStatus]) -> Vec<(Status, usize)> {
    Status::ALL
        .into_iter()
        .map(|st| (st, all.iter().filter(|s| s.status == st).count()))
        .collect()
}

/// `  drifted      link/v-lbaas  kind=veth, peer=v-lbaas-vlan, state=down`
/// and, under it, what differs or why it waits.
fn line(s: &ResourceStatus, width: usize) -> String {
    let word = styled(style(s.status), &format!("{:<width$}", s.status.as_str()));
    let mut out = format!("  {word}  {}", s.id);
    let name = s.id.name();
    let shown = match (&s.live, &s.wanted) {
        (Some(live), _) => attributes(live, name),
        (None, Some(wanted)) if s.status == Status::Missing => {
            let wanted = attributes(wanted, name);
            if wanted.is_empty() {
                wanted
            } else {
                format!("(wants {wanted})")
            }
        }
        _ => String::new(),
    };
    if !shown.is_empty() {
        out.push_str("  ");
        out.push_str(&shown);
    }
    let indent = " ".repeat(width + 6);
    for d in &s.differences {
        out.push_str(&format!(
            "\n{indent}{}: {} (wants {})",
            d.attribute,
            value(&d.live),
            value(&d.wanted)
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

fn style(status: Status) -> Style {
    let colour = |c: AnsiColor| c.on_default();
    match status {
        Status::Converged => colour(AnsiColor::Green),
        Status::Drifted => colour(AnsiColor::Yellow),
        Status::Missing => colour(AnsiColor::Red),
        Status::Waiting => colour(AnsiColor::Cyan),
        Status::Unavailable => colour(AnsiColor::Red).bold(),
        Status::Orphaned => colour(AnsiColor::Magenta),
    }
}

/// `key=value, ...`, leaving out what the resource's name already says.
fn attributes(attrs: &Attrs, name: &str) -> String {
    let in_name = |v: &str| {
        name == v || name.starts_with(&format!("{v}/")) || name.ends_with(&format!("/{v}"))
    };
    attrs
        .iter()
        .map(|(k, v)| (k, value(v)))
        .filter(|(_, v)| !in_name(v))
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value as text, cut short unless `-v`.
fn value(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Null => "none".to_string(),
        other => other.to_string(),
    };
    if verbosity() > 0 || text.chars().count() <= LONGEST_VALUE {
        return text;
    }
    let head: String = text.chars().take(LONGEST_VALUE - 1).collect();
    format!("{head}…")
}
