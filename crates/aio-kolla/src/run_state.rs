//! Where the deployment's actions stand, as the engine compares it: the
//! `inputs` attribute of `kolla/deployment`. The topology wants
//! [`RunState::Done`] with the fingerprint of its inputs; anything else
//! observed is a difference the next apply settles. Serialized here only,
//! as data (`{"done": FINGERPRINT}`, `{"rerun": [ACTION, ...]}`,
//! `{"failed_at": ACTION}`, `"changed"`).
//!
//! `state.json` does not hold attributes and `record.json` keeps the failed
//! action in its own field, so no file an earlier aio wrote holds this
//! attribute: only a plan saved by one, which the fresh plan then no
//! longer matches (it is made again, as any stale plan is).

use serde::{Deserialize, Serialize};

/// What the actions last did for the deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Every action finished for the inputs with this fingerprint.
    Done(String),
    /// Every action finished for the current inputs, and these are asked
    /// to run again (`aio apply --rerun`).
    Rerun(Vec<String>),
    /// The last run failed at this action; the next resumes there.
    FailedAt(String),
    /// The actions last ran for other inputs.
    Changed,
}

impl RunState {
    /// Whether an apply that starts from this state runs `action`, one of
    /// `actions` (in order), when the inputs differ: not for a rerun
    /// (only what was asked runs), from the failed action on when
    /// resuming (all of them if it is no longer one), else every one.
    pub fn runs(&self, action: &str, actions: &[String]) -> bool {
        let Some(at) = actions.iter().position(|a| a == action) else {
            return false;
        };
        match self {
            RunState::Rerun(_) => false,
            RunState::FailedAt(failed) => actions
                .iter()
                .position(|a| a == failed)
                .is_none_or(|f| f <= at),
            RunState::Done(_) | RunState::Changed => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(state: RunState, as_json: serde_json::Value) {
        assert_eq!(serde_json::to_value(&state).unwrap(), as_json);
        let back: RunState = serde_json::from_value(as_json).unwrap();
        assert_eq!(back, state);
    }

    #[test]
    fn each_state_is_written_as_data_and_read_back() {
        round_trip(
            RunState::Done("1f0c5e9a7b3d2c48".into()),
            json!({"done": "1f0c5e9a7b3d2c48"}),
        );
        round_trip(
            RunState::Rerun(vec!["deploy".into(), "post-deploy".into()]),
            json!({"rerun": ["deploy", "post-deploy"]}),
        );
        round_trip(
            RunState::FailedAt("deploy".into()),
            json!({"failed_at": "deploy"}),
        );
        round_trip(RunState::Changed, json!("changed"));
    }

    #[test]
    fn a_fingerprint_is_never_read_as_another_state() {
        // A fingerprint that spells a state's name is still a fingerprint.
        let done: RunState = serde_json::from_value(json!({"done": "changed"})).unwrap();
        assert_eq!(done, RunState::Done("changed".into()));
        assert!(serde_json::from_value::<RunState>(json!("failed at deploy")).is_err());
    }

    #[test]
    fn what_an_apply_runs_from_each_state() {
        let actions: Vec<String> = ["prechecks", "deploy", "post-deploy"]
            .map(String::from)
            .into();
        let runs = |state: RunState, action| state.runs(action, &actions);
        assert!(runs(RunState::Changed, "post-deploy"));
        assert!(runs(RunState::Done("old".into()), "prechecks"));
        assert!(!runs(RunState::Rerun(vec!["deploy".into()]), "post-deploy"));
        assert!(runs(RunState::FailedAt("deploy".into()), "post-deploy"));
        assert!(!runs(RunState::FailedAt("post-deploy".into()), "deploy"));
        assert!(runs(RunState::FailedAt("pull".into()), "prechecks"));
        assert!(!runs(RunState::Changed, "pull"));
    }
}
