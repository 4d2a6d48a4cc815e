//! The one way a command that changes the system runs (`apply`, `apply
//! PLAN`, `adopt`, `destroy`): `aio_host::Host::run` does the work; this
//! side shows the proposal, asks for confirmation and tells what the
//! follow-up does.

use aio_host::{Done, FollowUp, Host, Intent, Operator, Outcome, Proposal};

use super::plan;
use crate::Failure;
use crate::cli::Write;
use crate::prompt::confirm;
use crate::render;

/// How a command shows and asks.
pub struct Ask {
    /// `apply`, `adopt` or `destroy`, as the cancellation names it.
    pub verb: &'static str,
    pub question: &'static str,
    /// `aio apply --json`: NDJSON events instead of text.
    pub json: bool,
}

struct Terminal<'a> {
    host: &'a Host,
    ask: &'a Ask,
    yes: bool,
}

impl Operator for Terminal<'_> {
    type Error = Failure;

    fn show(&mut self, proposal: &Proposal) -> Result<(), Failure> {
        if self.ask.json {
            event("plan", serde_json::json!({"plan": proposal.plan}));
            return Ok(());
        }
        plan::print(self.host, &proposal.plan, false)?;
        if let Some(units) = &proposal.units {
            for line in render::units::lines(units) {
                outln!("{line}");
            }
        }
        Ok(())
    }

    fn confirm(&mut self, _proposal: &Proposal) -> Result<bool, Failure> {
        Ok(self.yes || confirm(self.ask.question)?)
    }

    fn follow_up(&mut self, happened: FollowUp<'_>) {
        follow_up(happened, self.ask.json);
    }
}

/// Runs `intent` on `host`: cancelled by the operator, it is refused.
pub async fn run(
    host: &Host,
    intent: Intent<'_>,
    write: &Write,
    ask: &Ask,
) -> Result<Outcome, Failure> {
    let mut terminal = Terminal {
        host,
        ask,
        yes: write.yes,
    };
    let outcome = host.run(intent, write.lock_timeout, &mut terminal).await?;
    if outcome.done == Done::Cancelled {
        return Err(Failure::Refused(format!(
            "{} cancelled, nothing was changed",
            ask.verb
        )));
    }
    Ok(outcome)
}

/// With `--json`, `apply` prints one JSON object per line (NDJSON,
/// docs/apply.schema.json): `plan`, then `follow_up` and `waiting` as they
/// happen, then `result`.
pub fn event(kind: &str, mut fields: serde_json::Value) {
    fields["event"] = serde_json::Value::from(kind);
    outln!("{fields}");
}

/// Tells what the follow-up of an apply does.
fn follow_up(happened: FollowUp<'_>, json: bool) {
    match (happened, json) {
        (FollowUp::Now(follow), true) => {
            event("follow_up", serde_json::json!({"plan": follow}));
        }
        (FollowUp::Waiting { ids, waited }, true) => event(
            "waiting",
            serde_json::json!({"ids": ids, "seconds": waited.as_secs()}),
        ),
        (FollowUp::Now(follow), false) => outln!(
            "\nNow possible, after what was just applied:\n{}",
            render::plan::painted(follow)
        ),
        (FollowUp::Waiting { ids, waited }, false) => {
            let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
            errln!(
                "waiting {} s for what was just applied to provide {}",
                waited.as_secs(),
                ids.join(", ")
            );
        }
    }
}
