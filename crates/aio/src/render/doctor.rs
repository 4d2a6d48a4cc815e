//! Doctor's report for a person (a path per block, a hop per line, what
//! was expected, found and the fix under a hop that does not hold, the
//! verdict last) and as JSON (`docs/doctor.schema.json`).

use anstyle::{AnsiColor, Style};

use aio_doctor::{Report, Verdict};

use crate::output::styled;

/// The format of `aio doctor --json`.
pub const FORMAT_VERSION: u32 = 1;

pub fn lines(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    for path in &report.paths {
        out.push(String::new());
        out.push(path.name.clone());
        for hop in &path.hops {
            let (mark, style) = mark(hop.verdict);
            let took = hop.took.map(took).unwrap_or_default();
            match hop.verdict {
                Verdict::Holds => out.push(format!(
                    "  {} {}: {}{took}",
                    styled(style, mark),
                    hop.name,
                    hop.found
                )),
                Verdict::Broken | Verdict::Unchecked => {
                    out.push(format!("  {} {}{took}", styled(style, mark), hop.name));
                    out.push(format!("      expected: {}", hop.expected));
                    let label = match hop.verdict {
                        Verdict::Unchecked => "not checked",
                        _ => "found",
                    };
                    out.push(format!("      {label}: {}", hop.found));
                    if let Some(fix) = &hop.fix {
                        out.push(format!("      fix: {fix}"));
                    }
                }
            }
        }
    }
    for note in &report.notes {
        out.push(String::new());
        out.push(format!("note: {note}"));
    }
    out.push(String::new());
    let (_, style) = mark(match report.exit_code() {
        0 => Verdict::Holds,
        1 => Verdict::Broken,
        _ => Verdict::Unchecked,
    });
    out.push(styled(style, &report.verdict()));
    out.push(format!("doctor took {:.1} s", report.took.as_secs_f64()));
    out
}

pub fn json(report: &Report) -> serde_json::Value {
    let first = report
        .first(Verdict::Broken)
        .map(|(p, h)| serde_json::json!({"path": p.name, "hop": h.name}));
    serde_json::json!({
        "format_version": FORMAT_VERSION,
        "paths": report.paths,
        "notes": report.notes,
        "first_broken": first,
        "verdict": report.verdict(),
        "exit_code": report.exit_code(),
        "took": report.took.as_secs_f64(),
    })
}

/// A probe's time: ` (12 ms)`, ` (3.1 s)`.
fn took(t: std::time::Duration) -> String {
    match t.as_millis() {
        ms @ 0..1000 => format!(" ({ms} ms)"),
        _ => format!(" ({:.1} s)", t.as_secs_f64()),
    }
}

fn mark(verdict: Verdict) -> (&'static str, Style) {
    match verdict {
        Verdict::Holds => ("✓", AnsiColor::Green.on_default()),
        Verdict::Broken => ("✗", AnsiColor::Red.on_default().bold()),
        Verdict::Unchecked => ("?", AnsiColor::Yellow.on_default()),
    }
}
