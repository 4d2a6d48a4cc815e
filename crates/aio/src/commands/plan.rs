//! `aio plan`: what apply would change, changing nothing.

use aio_engine::Plan;
use aio_host::{Host, SavedPlan};

use crate::Failure;
use crate::cli::Target;
use crate::output::{NOTE, styled, verbosity};
use crate::render;

/// Exit code 2: `plan --detailed-exitcode` found changes.
const CHANGES_PENDING: u8 = 2;
/// Exit code 2, with or without `--detailed-exitcode`: something aio only
/// checks disagrees with the topology.
pub const CONFLICTS: u8 = 2;

/// How a plan ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Converged,
    Pending,
    /// Conflicts stand (whatever else the plan holds).
    Conflicts,
}

impl Ended {
    fn of(plan: &Plan) -> Ended {
        if !plan.conflicts.is_empty() {
            Ended::Conflicts
        } else if plan.is_converged() {
            Ended::Converged
        } else {
            Ended::Pending
        }
    }

    /// The exit code: changes pending are told only when asked for.
    pub fn code(self, detailed_exitcode: bool) -> u8 {
        match self {
            Ended::Converged => 0,
            Ended::Pending if detailed_exitcode => CHANGES_PENDING,
            Ended::Pending => 0,
            Ended::Conflicts => CONFLICTS,
        }
    }
}

/// Prints the plan; how it ended.
pub async fn run(
    target: &Target,
    json: bool,
    out: Option<&std::path::Path>,
) -> Result<Ended, Failure> {
    if out.is_some() && !target.targets.is_empty() {
        return Err(Failure::Refused(
            "--target and --out cannot be used together: a saved plan covers the whole topology"
                .into(),
        ));
    }
    // Never dropped: the process ends after this and its memory goes back
    // whole, instead of being freed object by object (at ten thousand
    // links that is a tenth of the plan's time).
    let host = std::mem::ManuallyDrop::new(Host::open(target.host()?).await?);
    let plan = std::mem::ManuallyDrop::new(host.plan().await?);
    print(&host, &plan, json)?;
    if let Some(out) = out {
        SavedPlan::save(out, host.target(), &plan)?;
        if !json {
            outln!(
                "\nSaved to {}: `aio apply {}` carries out exactly this plan.",
                out.display(),
                out.display()
            );
        }
    }
    unavailable(&plan)?;
    Ok(Ended::of(&plan))
}

/// `aio plan --destroy`: what `aio destroy` would delete; pending if anything.
pub async fn destroy(target: &Target, json: bool) -> Result<Ended, Failure> {
    let host = Host::open(target.host()?).await?;
    let plan = host.destroy_plan().await?;
    print(&host, &plan, json)?;
    unavailable(&plan)?;
    Ok(if plan.is_empty() {
        Ended::Converged
    } else {
        Ended::Pending
    })
}

/// The plan as text, or as its JSON document (docs/plan.schema.json).
pub fn print(host: &Host, plan: &Plan, json: bool) -> Result<(), Failure> {
    if json {
        outln!("{}", serde_json::to_string_pretty(plan)?);
        return Ok(());
    }
    outln!("aio plan of {}", host.target().file.display());
    for (k, v) in &plan.facts {
        outln!("  {k}: {v}");
    }
    outln!();
    let note = styled(NOTE, "note:");
    let text = if verbosity() > 0 {
        render::plan::painted(plan)
    } else {
        let (shown, cut) = render::plan::elided(plan);
        if cut {
            errln!(
                "{note} values longer than {} characters are cut short; -v shows them whole",
                render::value::LONGEST_VALUE
            );
        }
        render::plan::painted(&shown)
    };
    outln!("{text}");
    notes(host);
    conflicts(host, plan);
    Ok(())
}

/// Each conflict at the lines of the file it concerns, on stderr, and what
/// to do about it.
pub fn conflicts(host: &Host, plan: &Plan) {
    let lines = host.located_conflicts(plan);
    if lines.is_empty() {
        return;
    }
    for line in &lines {
        errln!("{line}");
    }
    errln!(
        "{} aio only checks what is in conflict and never changes it: make the cloud and the topology agree \
         (change the file, or remake the object to match it)",
        styled(NOTE, "help:")
    );
}

/// What the families left out, as notes on stderr.
pub fn notes(host: &Host) {
    let note = styled(NOTE, "note:");
    for n in host.notes() {
        errln!("{note} {n}");
    }
}

/// Resources that could not be observed make the command fail, after the rest was done.
pub fn unavailable(plan: &Plan) -> Result<(), Failure> {
    let mut reasons: Vec<String> = plan
        .unavailable
        .iter()
        .filter(|p| !p.reason.is_consequence())
        .map(|p| p.reason.to_string())
        .collect();
    reasons.dedup();
    if reasons.is_empty() {
        return Ok(());
    }
    Err(Failure::Refused(format!(
        "{} resource(s) could not be planned: {}",
        plan.unavailable.len(),
        reasons.join("; ")
    )))
}
