//! `aio apply`: make the system match the topology.

use std::path::Path;

use aio_engine::{Plan, StateLock};
use aio_host::{FollowUp, Host};

use super::{plan, saved};
use crate::Failure;
use crate::cli::Target;
use crate::prompt::confirm;
use crate::render;

/// How to apply: the shared flags of a writing command.
pub struct How<'a> {
    pub write: &'a crate::cli::Write,
    pub json: bool,
    pub rollback: bool,
    /// Kolla actions to run again though recorded as done (`--rerun`).
    pub reruns: &'a [String],
}

/// Plans against the live system, then applies, under the state dir's lock.
pub async fn run(target: &Target, how: &How<'_>) -> Result<u8, Failure> {
    let mut host = Host::open(aio_host::Target {
        reruns: how.reruns.to_vec(),
        ..target.host()?
    })
    .await?;
    host.set_rollback(how.rollback);
    let _lock = lock(&host, how.write)?;
    let plan = host.plan().await?;
    carry_out(&host, plan, how).await
}

/// Applies a saved plan, refusing it if the system changed since it was made.
pub async fn run_saved(file: &Path, given: &Target, how: &How<'_>) -> Result<u8, Failure> {
    if !given.targets.is_empty() {
        return Err(Failure::Refused(
            "--target cannot be given with a saved plan: the plan says what it covers".into(),
        ));
    }
    let (saved, target) = saved::load(file)?;
    saved::agrees(file, &saved, given)?;
    let mut host = Host::open(target.host()?).await?;
    host.set_rollback(how.rollback);
    let _lock = lock(&host, how.write)?;
    // The plan is made again from the topology and state it names; only if
    // it is the same is it carried out, and it is the fresh one that runs:
    // nothing the file holds (changes, facts, descriptions) is trusted.
    let now = host.plan().await?;
    let differ = saved::differences(&saved.plan, &now);
    if !differ.is_empty() {
        return Err(Failure::Refused(format!(
            "the system changed since {} was made; nothing was changed. Changes that differ now:\n  {}\nRun aio plan again.",
            file.display(),
            differ.join("\n  ")
        )));
    }
    carry_out(&host, now, how).await
}

/// With `--json`, `apply` prints one JSON object per line (NDJSON,
/// docs/apply.schema.json): `plan`, then `follow_up` and `waiting` as they
/// happen, then `result`.
fn event(kind: &str, mut fields: serde_json::Value) {
    fields["event"] = serde_json::Value::from(kind);
    outln!("{fields}");
}

/// Tells what the follow-up of an apply does.
pub fn follow_up(happened: FollowUp<'_>, json: bool) {
    if json {
        match happened {
            FollowUp::Now(follow) => {
                event(
                    "follow_up",
                    serde_json::json!({"plan": render::plan::json(follow)}),
                );
            }
            FollowUp::Waiting { ids, waited } => event(
                "waiting",
                serde_json::json!({"ids": ids, "seconds": waited.as_secs()}),
            ),
        }
        return;
    }
    match happened {
        FollowUp::Now(follow) => outln!(
            "\nNow possible, after what was just applied:\n{}",
            render::plan::painted(follow)
        ),
        FollowUp::Waiting { ids, waited } => {
            let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
            errln!(
                "waiting {} s for what was just applied to provide {}",
                waited.as_secs(),
                ids.join(", ")
            );
        }
    }
}

/// The state dir's lock, waiting as long as `--lock-timeout` says.
pub fn lock(host: &Host, write: &crate::cli::Write) -> Result<StateLock, Failure> {
    Ok(host.lock(write.lock_timeout)?)
}

async fn carry_out(host: &Host, plan: Plan, how: &How<'_>) -> Result<u8, Failure> {
    let json = how.json;
    if json {
        event(
            "plan",
            serde_json::json!({"plan": render::plan::json(&plan)}),
        );
    } else {
        plan::print(host, &plan, false);
    }
    if plan.is_empty() {
        // Nothing to change, but claims on what is no longer aio's are dropped.
        host.forget(&plan)?;
        if json {
            let converged = plan.is_converged();
            event(
                "result",
                serde_json::json!({"applied": 0, "waiting": plan.waiting.len(), "converged": converged}),
            );
        }
        plan::unavailable(&plan)?;
        return Ok(0);
    }
    if !how.write.yes && !confirm("Apply these changes?")? {
        return Err(Failure::Refused(
            "apply cancelled, nothing was changed".into(),
        ));
    }
    let done = host
        .apply(&plan, &mut |event| follow_up(event, json))
        .await?;
    if json {
        event(
            "result",
            serde_json::json!({"applied": done.applied, "waiting": done.waiting, "converged": done.waiting == 0}),
        );
    } else {
        let rest = match (done.waiting, plan.unavailable.len()) {
            (0, 0) => "the system matches the topology".to_string(),
            (n, 0) => format!("{n} waiting for other resources"),
            (_, n) => format!("{n} could not be checked"),
        };
        outln!(
            "\nApply complete: {} change(s) applied; {rest}.",
            done.applied
        );
        for step in host.next_steps(Some(&plan)) {
            outln!("\n{step}");
        }
    }
    plan::unavailable(&plan)?;
    Ok(0)
}
