//! `aio apply`: make the system match the topology.

use std::path::Path;

use aio_host::saved::Given;
use aio_host::{Done, Host, Intent, SavedPlan};

use super::plan;
use super::run::{Ask, event, run};
use crate::Failure;
use crate::cli::Target;

/// How to apply: the shared flags of a writing command.
pub struct How<'a> {
    pub write: &'a crate::cli::Write,
    pub json: bool,
    pub rollback: bool,
    /// Kolla actions to run again though recorded as done (`--rerun`).
    pub reruns: &'a [String],
}

/// Plans against the live system, then applies, under the state dir's lock.
pub async fn live(target: &Target, how: &How<'_>) -> Result<u8, Failure> {
    let mut host = Host::open(aio_host::Target {
        reruns: how.reruns.to_vec(),
        ..target.host()?
    })
    .await?;
    host.set_rollback(how.rollback);
    carry_out(&host, Intent::Apply, how).await
}

/// Applies a saved plan, refusing it if the system changed since it was made.
pub async fn saved(file: &Path, given: &Target, how: &How<'_>) -> Result<u8, Failure> {
    if !given.targets.is_empty() {
        return Err(Failure::Refused(
            "--target cannot be given with a saved plan: the plan says what it covers".into(),
        ));
    }
    let saved = SavedPlan::read(file)?;
    saved.agrees(&Given {
        // `-f` left at its default says nothing.
        file: (given.file.path != Path::new(crate::cli::DEFAULT_FILE))
            .then_some(given.file.path.as_path()),
        netns: given.netns.as_deref(),
        state_dir: given.state_dir.as_deref(),
    })?;
    let mut host = Host::open(saved.target()).await?;
    host.set_rollback(how.rollback);
    carry_out(&host, Intent::Saved(&saved), how).await
}

async fn carry_out(host: &Host, intent: Intent<'_>, how: &How<'_>) -> Result<u8, Failure> {
    let json = how.json;
    let ask = Ask {
        verb: "apply",
        question: "Apply these changes?",
        json,
    };
    let outcome = run(host, intent, how.write, &ask).await?;
    let plan = &outcome.proposal.plan;
    match outcome.done {
        Done::Applied(done) if json => event(
            "result",
            serde_json::json!({"applied": done.applied, "waiting": done.waiting, "converged": done.waiting == 0 && plan.conflicts.is_empty(), "conflicts": plan.conflicts.len()}),
        ),
        Done::Applied(done) => {
            let rest = match (done.waiting, plan.unavailable.len()) {
                (0, 0) => "the system matches the topology".to_string(),
                (n, 0) => format!("{n} waiting for other resources"),
                (_, n) => format!("{n} could not be checked"),
            };
            outln!(
                "\nApply complete: {} change(s) applied; {rest}.",
                done.applied
            );
            for step in host.next_steps(Some(plan)) {
                outln!("\n{step}");
            }
        }
        _ if json => event(
            "result",
            serde_json::json!({"applied": 0, "waiting": plan.waiting.len(), "converged": plan.is_converged(), "conflicts": plan.conflicts.len()}),
        ),
        _ => {}
    }
    plan::unavailable(plan)?;
    // The plan shown before the apply located them.
    Ok(match plan.conflicts.is_empty() {
        true => 0,
        false => plan::CONFLICTS,
    })
}
