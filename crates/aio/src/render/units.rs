//! The old installer's boot units that `aio adopt` found: those it
//! disables, those it leaves alone and why.

use aio_host::seed::BootUnits;

/// One line per boot unit, those left alone and why, or why none were
/// looked for.
pub fn lines(units: &BootUnits) -> Vec<String> {
    let mut out = Vec::new();
    if units.root.is_none() {
        out.push(
            "  note: boot units are left alone: with --netns, the host's units are not the namespace's (--root DIR looks under DIR)"
                .to_string(),
        );
    }
    for unit in &units.installer {
        let state = if unit.enabled_by.is_empty() {
            "already disabled"
        } else {
            "to disable"
        };
        out.push(format!(
            "  - boot unit {} ({state}): runs {}",
            unit.name,
            unit.runs.join("; ")
        ));
    }
    for unit in &units.left_alone {
        out.push(format!(
            "  note: boot unit {} is left alone, not certainly the old installer's: {}",
            unit.name, unit.why
        ));
    }
    out
}
