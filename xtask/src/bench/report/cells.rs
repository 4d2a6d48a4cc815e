//! The cells and header rows of the report's tables.

use std::fmt::Write;

use super::super::results::Results;

/// Seconds as milliseconds, with fewer decimals the larger they are.
pub(super) fn ms(secs: Option<f64>) -> String {
    match secs {
        Some(s) if s * 1000.0 >= 100.0 => format!("{:.0}", s * 1000.0),
        Some(s) if s * 1000.0 >= 10.0 => format!("{:.1}", s * 1000.0),
        Some(s) => format!("{:.2}", s * 1000.0),
        None => "–".into(),
    }
}

/// A number with `digits` decimals, or a dash.
pub(super) fn num(v: Option<f64>, digits: usize) -> String {
    v.map_or("–".into(), |v| format!("{v:.digits$}"))
}

/// A table's header row and rule: `first`, one column per N, `last` if any.
pub(super) fn header(r: &Results, first: &str, last: &str) -> String {
    let mut h = format!("| {first} |");
    for n in &r.sizes {
        let _ = write!(h, " N = {n} |");
    }
    if !last.is_empty() {
        let _ = write!(h, " {last} |");
    }
    h.push('\n');
    h.push_str(&"|---".repeat(r.sizes.len() + 1 + usize::from(!last.is_empty())));
    h.push_str("|\n");
    h
}

/// Whether a target was met, in words.
pub(super) fn mark(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "**missed**",
        None => "not measured",
    }
}
