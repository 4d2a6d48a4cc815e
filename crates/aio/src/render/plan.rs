//! A plan as a person reads it, from the plan's data: one line per change
//! coloured by its action (`+` green, `~` yellow, `-` red, `-/+` magenta),
//! a provider's diff under it, what waits (cyan) or cannot be observed (red
//! bold), then the summary. Long values are cut short unless `-v`. Also the
//! one-line form `watch` logs. A plan's JSON document is the plan's own
//! serialization (`aio_engine::Plan`).

use anstyle::{AnsiColor, Style};

use aio_engine::{Action, AttrValue, Attrs, Change, LineKind, Plan};

use super::value::{self, cut};
use crate::output::styled;

/// One line of text, and its style if it has one.
struct Line {
    style: Option<Style>,
    text: String,
}

fn colour(c: AnsiColor) -> Option<Style> {
    Some(c.on_default())
}

fn action_style(action: Action) -> Option<Style> {
    match action {
        Action::Create => colour(AnsiColor::Green),
        Action::Update => colour(AnsiColor::Yellow),
        Action::Delete => colour(AnsiColor::Red),
        Action::Replace => colour(AnsiColor::Magenta),
        Action::Adopt => colour(AnsiColor::Blue),
    }
}

/// A line of a provider's detail, styled by what it is.
fn detail_style(kind: LineKind) -> Option<Style> {
    match kind {
        LineKind::Header => Some(Style::new().bold()),
        LineKind::Hunk => colour(AnsiColor::Cyan),
        LineKind::Added => colour(AnsiColor::Green),
        LineKind::Changed => colour(AnsiColor::Yellow),
        LineKind::Removed => colour(AnsiColor::Red),
        LineKind::Context => None,
    }
}

/// `+ link/br0  (kind=bridge)` or `~ link/x  state: down -> up`.
pub fn change_line(c: &Change) -> String {
    // A provider's own account replaces the attribute differences.
    let inline = if c.detail.is_some() {
        String::new()
    } else {
        differences(c)
    };
    format!("{:>3} {}{}", c.action.symbol(), c.id, inline)
}

fn differences(c: &Change) -> String {
    match c.action {
        Action::Create => {
            let shown = c
                .after
                .as_ref()
                .map(|a| value::inline(a, c.id.name(), true))
                .unwrap_or_default();
            if shown.is_empty() {
                shown
            } else {
                format!("  ({shown})")
            }
        }
        Action::Delete => String::new(),
        Action::Update | Action::Replace => attribute_changes(c),
        // What is taken over as it is: how it differs from the topology,
        // which the next apply changes.
        Action::Adopt if c.differences().is_empty() => String::new(),
        Action::Adopt => format!(
            "{}  (as found; `aio apply` then changes it)",
            attribute_changes(c)
        ),
    }
}

/// `  key: old -> new, key: old -> new`.
fn attribute_changes(c: &Change) -> String {
    let mut out = String::from(" ");
    for (i, (k, old, new)) in c.differences().into_iter().enumerate() {
        let sep = if i == 0 { " " } else { ", " };
        out.push_str(&format!("{sep}{k}: {} -> {}", old.plain(), new.plain()));
    }
    out
}

fn lines(plan: &Plan) -> Vec<Line> {
    let mut out = Vec::new();
    let mut push = |style, text| out.push(Line { style, text });
    for c in &plan.changes {
        push(action_style(c.action), change_line(c));
        for (kind, line) in c.detail.iter().flat_map(|d| d.lines()) {
            push(detail_style(kind), format!("      {line}"));
        }
    }
    for p in &plan.waiting {
        push(
            colour(AnsiColor::Cyan),
            format!("  … {}  waiting: {}", p.id, p.reason),
        );
    }
    for p in &plan.unavailable {
        push(
            Some(AnsiColor::Red.on_default().bold()),
            format!("  ! {}  unavailable: {}", p.id, p.reason),
        );
    }
    for p in &plan.released {
        push(None, format!("  note: {} released: {}", p.id, p.reason));
    }
    for p in &plan.adoptable {
        push(None, format!("  note: {} {}", p.id, p.reason));
    }
    for c in &plan.conflicts {
        let differences: Vec<String> = c
            .differences
            .iter()
            .map(|d| {
                format!(
                    "{}: {} here, {} wanted",
                    d.key,
                    d.found.plain(),
                    d.wanted.plain()
                )
            })
            .collect();
        push(
            Some(AnsiColor::Red.on_default().bold()),
            format!("  ≠ {}  conflict: {}", c.id, differences.join(", ")),
        );
    }
    if plan.is_converged() {
        push(
            None,
            "No changes: the system matches the topology.".to_string(),
        );
    }
    push(None, plan.summary().to_string());
    out
}

/// The plan's text, without styles.
pub fn text(plan: &Plan) -> String {
    let lines: Vec<String> = lines(plan).into_iter().map(|l| l.text).collect();
    lines.join("\n")
}

/// The plan's text, each line in its style (shown only where colour is wanted).
pub fn painted(plan: &Plan) -> String {
    let lines: Vec<String> = lines(plan)
        .into_iter()
        .map(|l| match l.style {
            Some(style) => styled(style, &l.text),
            None => l.text,
        })
        .collect();
    lines.join("\n")
}

/// The plan with long attribute values cut short, for its one-line display;
/// whether anything was cut. Two different values that would look the same
/// once cut are left whole, so a change never shows as `x -> x`.
pub fn elided(plan: &Plan) -> (Plan, bool) {
    let short = |v: &AttrValue| match v.is_null() {
        true => None,
        false => cut(&v.plain()).map(AttrValue::from),
    };
    let mut shown = plan.clone();
    let mut was_cut = false;
    for c in shown.changes.iter_mut().filter(|c| c.detail.is_none()) {
        let (before, after) = (c.before.clone(), c.after.as_deref().cloned());
        let after_shown = c.after.as_mut().map(std::sync::Arc::make_mut);
        for (attrs, other) in [(c.before.as_mut(), &after), (after_shown, &before)] {
            for (k, v) in attrs.into_iter().flat_map(Attrs::iter_mut) {
                let Some(s) = short(v) else { continue };
                let theirs = other.as_ref().and_then(|o| o.get(k));
                if theirs.is_some_and(|o| o != v && short(o).as_ref() == Some(&s)) {
                    continue;
                }
                *v = s;
                was_cut = true;
            }
        }
    }
    (shown, was_cut)
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
