//! `aio plan`: what apply would change, changing nothing.

use aio_engine::Plan;

use super::CHANGES_PENDING;
use crate::Failure;
use crate::cli::Target;
use crate::session::Session;

/// Prints the plan; `CHANGES_PENDING` unless converged.
pub async fn run(
    target: &Target,
    json: bool,
    out: Option<&std::path::Path>,
) -> Result<u8, Failure> {
    let session = Session::open(target).await?;
    let plan = session.plan().await?;
    print(&session, target, &plan, json);
    if let Some(out) = out {
        super::saved::save(out, target, &plan)?;
        if !json {
            println!(
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

pub fn print(session: &Session, target: &Target, plan: &Plan, json: bool) {
    if json {
        println!("{:#}", plan.to_json());
        return;
    }
    println!("aio plan of {}", target.file.path.display());
    for (k, v) in &plan.facts {
        println!("  {k}: {v}");
    }
    println!();
    let note = crate::output::styled(crate::output::NOTE, "note:");
    let text = if crate::output::verbosity() > 0 {
        plan.to_string()
    } else {
        let (shown, cut) = crate::plan_view::elided(plan);
        if cut {
            anstream::eprintln!(
                "{note} values longer than {} characters are cut short; -v shows them whole",
                crate::plan_view::LONGEST_VALUE
            );
        }
        shown.to_string()
    };
    anstream::println!("{}", crate::plan_view::paint(&text));
    if !session.skipped_sysctls.is_empty() {
        anstream::eprintln!(
            "{note} in a network namespace only net.* sysctls are its own; left out: {}",
            session.skipped_sysctls.join(", ")
        );
    }
}

/// Resources that could not be observed make the command fail, after the rest was done.
pub fn unavailable(plan: &Plan) -> Result<(), Failure> {
    let mut reasons: Vec<&str> = plan
        .unavailable
        .iter()
        .map(|p| p.reason.as_str())
        .filter(|r| !r.starts_with("waits for "))
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
