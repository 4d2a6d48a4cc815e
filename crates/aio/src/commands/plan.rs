//! `aio plan`: what apply would change, changing nothing.

use aio_engine::Plan;
use aio_host::{Host, SavedPlan};

use crate::Failure;
use crate::cli::Target;
use crate::output::{NOTE, styled, verbosity};
use crate::render;

/// Exit code 2: `plan --detailed-exitcode` found changes.
const CHANGES_PENDING: u8 = 2;

/// Prints the plan; `CHANGES_PENDING` unless converged.
pub async fn run(
    target: &Target,
    json: bool,
    out: Option<&std::path::Path>,
) -> Result<u8, Failure> {
    if out.is_some() && !target.targets.is_empty() {
        return Err(Failure::Refused(
            "--target and --out cannot be used together: a saved plan covers the whole topology"
                .into(),
        ));
    }
    let host = Host::open(target.host()?).await?;
    let plan = host.plan().await?;
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
    Ok(if plan.is_converged() {
        0
    } else {
        CHANGES_PENDING
    })
}

/// `aio plan --destroy`: what `aio destroy` would delete; `CHANGES_PENDING` if anything.
pub async fn destroy(target: &Target, json: bool) -> Result<u8, Failure> {
    let host = Host::open(target.host()?).await?;
    let plan = host.destroy_plan().await?;
    print(&host, &plan, json)?;
    unavailable(&plan)?;
    Ok(if plan.is_empty() { 0 } else { CHANGES_PENDING })
}

/// The plan as text, or as its JSON document (docs/plan.schema.json).
pub fn print(host: &Host, plan: &Plan, json: bool) -> Result<(), Failure> {
    if json {
        outln!("{:#}", serde_json::to_value(plan)?);
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
    Ok(())
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
