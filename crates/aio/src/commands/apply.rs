//! `aio apply`: make the system match the topology.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use aio_engine::Plan;

use super::{plan, saved};
use crate::Failure;
use crate::cli::Target;
use crate::session::Session;

/// How to apply: the shared flags of a writing command.
pub struct How<'a> {
    pub write: &'a crate::cli::Write,
    pub json: bool,
    pub rollback: bool,
}

/// Plans against the live system, then applies, under the state dir's lock.
pub async fn run(target: &Target, how: &How<'_>) -> Result<u8, Failure> {
    let mut session = Session::open(target).await?;
    session.engine.set_rollback(how.rollback);
    let _lock = lock(target, how)?;
    let plan = session.plan().await?;
    carry_out(&session, target, plan, how).await
}

/// Applies a saved plan, refusing it if the system changed since it was made.
pub async fn run_saved(file: &Path, given: &Target, how: &How<'_>) -> Result<u8, Failure> {
    let (saved, target) = saved::load(file)?;
    saved::agrees(file, &saved, given)?;
    let mut session = Session::open(&target).await?;
    session.engine.set_rollback(how.rollback);
    let _lock = lock(&target, how)?;
    // The plan is made again from the topology and state it names; only if
    // it is the same is it carried out, and it is the fresh one that runs:
    // nothing the file holds (changes, facts, descriptions) is trusted.
    let now = session.plan().await?;
    let differ = saved::differences(&saved.plan, &now);
    if !differ.is_empty() {
        return Err(Failure::Refused(format!(
            "the system changed since {} was made; nothing was changed. Changes that differ now:\n  {}\nRun aio plan again.",
            file.display(),
            differ.join("\n  ")
        )));
    }
    carry_out(&session, &target, now, how).await
}

pub fn lock(target: &Target, how: &How<'_>) -> Result<aio_engine::StateLock, Failure> {
    let timeout = Duration::from_secs_f64(how.write.lock_timeout.max(0.0));
    aio_engine::StateLock::acquire(&target.state_dir(), timeout)
        .map_err(|e| Failure::Refused(e.to_string()))
}

async fn carry_out(
    session: &Session,
    target: &Target,
    plan: Plan,
    how: &How<'_>,
) -> Result<u8, Failure> {
    let json = how.json;
    plan::print(session, target, &plan, json);
    if plan.is_empty() {
        // Nothing to change, but claims on what is no longer aio's are dropped.
        session.engine.forget(&plan)?;
        plan::unavailable(&plan)?;
        return Ok(0);
    }
    if !how.write.yes && !confirm("Apply these changes?")? {
        return Err(Failure::Refused(
            "apply cancelled, nothing was changed".into(),
        ));
    }
    session.remember_vip()?;
    let report = session.apply(&plan, &session.desired).await?;
    let (applied, waiting) = follow_up(session, &plan, report.applied, how).await?;
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
    how: &How<'_>,
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
    if !how.json {
        println!("\nNow possible, after what was just applied:\n{follow}");
    }
    let report = session.apply(&follow, &session.desired).await?;
    Ok((applied + report.applied, follow.waiting.len()))
}

/// Asks `question` on the terminal; without one, refuses rather than hang.
pub fn confirm(question: &str) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Refused(
            "no terminal to ask for confirmation: add --yes to go ahead".into(),
        ));
    }
    print!("\n{question} Only 'yes' is accepted: ");
    std::io::stdout().flush().ok();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    Ok(answer.trim() == "yes")
}
