//! `aio plan`: what apply would change, changing nothing.

use aio_engine::Plan;

use super::CHANGES_PENDING;
use crate::Failure;
use crate::cli::Target;
use crate::session::Session;

/// Prints the plan; `CHANGES_PENDING` unless converged.
pub async fn run(target: &Target, json: bool) -> Result<u8, Failure> {
    let session = Session::open(target).await?;
    let plan = session.plan().await?;
    print(&session, target, &plan, json);
    unavailable(&plan)?;
    Ok(if plan.is_converged() {
        0
    } else {
        CHANGES_PENDING
    })
}

pub fn print(session: &Session, target: &Target, plan: &Plan, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&plan.to_json()).expect("plans serialize")
        );
        return;
    }
    println!("aio plan of {}", target.file.path.display());
    for (k, v) in &plan.facts {
        println!("  {k}: {v}");
    }
    println!();
    println!("{plan}");
    if !session.skipped_sysctls.is_empty() {
        eprintln!(
            "note: in a network namespace only net.* sysctls are its own; left out: {}",
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
