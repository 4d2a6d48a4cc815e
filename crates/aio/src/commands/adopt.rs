//! `aio adopt`: take over a host another tool built (see `aio_host::Adoption`).

use std::path::Path;

use aio_host::Host;

use super::apply::{follow_up, lock};
use super::plan;
use crate::Failure;
use crate::cli::{Target, Write};
use crate::prompt::confirm;

pub async fn run(target: &Target, write: &Write, root: &Path) -> Result<u8, Failure> {
    let host = Host::open(target.host()?).await?;
    let _lock = lock(&host, write)?;
    let adoption = host.adoption(root).await?;
    plan::print(&host, &adoption.plan, false);
    for unit in &adoption.units {
        let state = if unit.enabled_by.is_empty() {
            "already disabled"
        } else {
            "to disable"
        };
        println!(
            "  - boot unit {} ({state}): runs {}",
            unit.name,
            unit.runs.join("; ")
        );
    }
    if adoption.is_empty() {
        println!("\nNothing to adopt.");
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
    let disabled = adoption
        .units
        .iter()
        .filter(|u| !u.enabled_by.is_empty())
        .count();
    println!(
        "\nAdopt complete: {} change(s) applied, {disabled} boot unit(s) disabled.",
        done.applied
    );
    if disabled > 0 {
        println!(
            "`aio service install -f {}` runs aio at boot in their place.",
            target.file.path.display()
        );
    }
    plan::unavailable(&adoption.plan)?;
    Ok(0)
}
