//! `aio apply`: make the system match the topology.

use std::io::{BufRead, IsTerminal, Write};

use aio_engine::Plan;

use super::plan;
use crate::Failure;
use crate::cli::Target;
use crate::session::Session;

pub async fn run(target: &Target, yes: bool, json: bool) -> Result<u8, Failure> {
    let session = Session::open(target).await?;
    let plan = session.plan().await?;
    plan::print(&session, target, &plan, json);
    if plan.is_empty() {
        plan::unavailable(&plan)?;
        return Ok(0);
    }
    if !yes && !confirm()? {
        return Err(Failure::Refused(
            "apply cancelled, nothing was changed".into(),
        ));
    }
    session.remember_vip()?;
    let report = session.engine.apply(&plan, &session.desired).await?;
    let (applied, waiting) = follow_up(&session, &plan, report.applied, json).await?;
    if json {
        println!(
            "{}",
            serde_json::json!({"applied": applied, "waiting": waiting, "converged": waiting == 0})
        );
    } else {
        let rest = match (waiting, plan.unavailable.len()) {
            (0, 0) => "the system matches the topology".to_string(),
            (n, 0) => format!("{n} waiting for other resources"),
            (_, n) => format!("{n} could not be checked"),
        };
        println!("\nApply complete: {applied} change(s) applied; {rest}.");
    }
    plan::unavailable(&plan)?;
    Ok(0)
}

/// Changes that waited for something this apply made (a port on the bridge
/// Kolla's deploy created) may be possible now: one more pass for those only.
/// Returns all changes applied and how many still wait.
async fn follow_up(
    session: &Session,
    plan: &Plan,
    applied: usize,
    json: bool,
) -> Result<(usize, usize), Failure> {
    if plan.waiting.is_empty() || applied == 0 {
        return Ok((applied, plan.waiting.len()));
    }
    let next = session.plan().await?;
    let was_waiting = |c: &aio_engine::Change| plan.waiting.iter().any(|w| w.id == c.id);
    let unblocked: Vec<_> = next
        .changes
        .iter()
        .filter(|c| was_waiting(c))
        .cloned()
        .collect();
    if unblocked.is_empty() {
        return Ok((applied, next.waiting.len()));
    }
    let follow = Plan {
        changes: unblocked,
        ..next
    };
    if !json {
        println!("\nNow possible, after what was just applied:\n{follow}");
    }
    let report = session.engine.apply(&follow, &session.desired).await?;
    Ok((applied + report.applied, follow.waiting.len()))
}

/// Asks on the terminal; without one, refuses rather than hang.
fn confirm() -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Refused(
            "no terminal to ask for confirmation: run `aio apply --yes` to apply this plan".into(),
        ));
    }
    print!("\nApply these changes? Only 'yes' is accepted: ");
    std::io::stdout().flush().ok();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    Ok(answer.trim() == "yes")
}
