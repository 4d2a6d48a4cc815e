//! `aio show`: the live state of everything the topology manages (see
//! [`render::status`]), after the facts (uplink, its address, the VIP),
//! then what the operator may do next (Neutron's external network).
//! Read from a plan: changes nothing.

use aio_engine::statuses;
use aio_host::{Host, SavedPlan};

use crate::Failure;
use crate::cli::Target;
use crate::output::verbosity;
use crate::render;

/// `aio show PLAN`: a saved plan, what it was made for, and whether its
/// topology is still the one it was made from. Looks at no system.
pub fn saved(file: &std::path::Path, json: bool) -> Result<u8, Failure> {
    let saved = SavedPlan::read(file)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&saved.plan)?);
        return Ok(0);
    }
    outln!("saved plan {}", file.display());
    outln!("  as the file claims it: nothing below was checked against the system");
    outln!("  topology: {}", saved.topology.display());
    if let Some(ns) = &saved.netns {
        outln!("  netns: {ns}");
    }
    outln!("  state dir: {}", saved.state_dir.display());
    for (k, v) in &saved.plan.facts {
        outln!("  {k}: {v}");
    }
    outln!();
    outln!("{}", render::plan::painted(&saved.plan));
    outln!(
        "
`aio apply {}` plans again and carries the plan out only if the new plan is this one, whole (facts, changes, details, what waits).",
        file.display()
    );
    Ok(0)
}

pub async fn run(target: &Target, json: bool) -> Result<u8, Failure> {
    let host = Host::open(target.host()?).await?;
    let plan = host.plan().await?;
    let all = statuses(host.desired(), &plan);
    let contested = aio_host::contested(&host.target().state_dir);
    if json {
        outln!("{:#}", render::status::json(&plan.facts, &all, &contested));
        return Ok(0);
    }
    outln!("aio show of {}", target.file.path.display());
    for (k, v) in &plan.facts {
        outln!("  {k}: {v}");
    }
    outln!();
    for line in render::status::lines(&all, verbosity() > 0) {
        outln!("{line}");
    }
    for line in render::status::contested_lines(&contested) {
        outln!("{line}");
    }
    outln!("\n{}", render::status::counts(&all));
    for step in host.next_steps(None) {
        outln!("\n{step}");
    }
    super::plan::notes(&host);
    Ok(0)
}
