//! `aio adopt`: take over a host another tool built (see `aio_host::Adoption`).

use std::path::Path;

use aio_host::Host;
use aio_host::seed::BootUnits;

use super::apply::{follow_up, lock};
use super::plan;
use crate::Failure;
use crate::cli::{Target, Write};
use crate::prompt::confirm;

pub async fn run(target: &Target, write: &Write, root: Option<&Path>) -> Result<u8, Failure> {
    let host = Host::open(target.host()?).await?;
    let _lock = lock(&host, write)?;
    let adoption = host.adoption(root).await?;
    plan::print(&host, &adoption.plan, false);
    print_units(&adoption.units);
    if adoption.is_empty() {
        outln!("\nNothing to adopt.");
        plan::unavailable(&adoption.plan)?;
        return Ok(0);
    }
    if !write.yes && !confirm("Adopt these?")? {
        return Err(Failure::Refused(
            "adopt cancelled, nothing was changed".into(),
        ));
    }
    let done = host
        .adopt(&adoption, &mut |event| follow_up(event, false))
        .await?;
    let disabled = adoption.units.enabled().count();
    outln!(
        "\nAdopt complete: {} change(s) applied, {disabled} boot unit(s) disabled.",
        done.applied
    );
    if disabled > 0 {
        outln!(
            "`aio service install -f {}` runs aio at boot in their place.",
            target.file.path.display()
        );
    }
    plan::unavailable(&adoption.plan)?;
    Ok(0)
}

/// The old installer's boot units, those left alone and why, or why none
/// were looked for.
fn print_units(units: &BootUnits) {
    if units.root.is_none() {
        outln!(
            "  note: boot units are left alone: with --netns, the host's units are not the namespace's (--root DIR looks under DIR)"
        );
    }
    for unit in &units.installer {
        let state = if unit.enabled_by.is_empty() {
            "already disabled"
        } else {
            "to disable"
        };
        outln!(
            "  - boot unit {} ({state}): runs {}",
            unit.name,
            unit.runs.join("; ")
        );
    }
    for unit in &units.left_alone {
        outln!(
            "  note: boot unit {} is left alone, not certainly the old installer's: {}",
            unit.name,
            unit.why
        );
    }
}
