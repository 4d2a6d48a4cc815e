//! What aio remembers about the deployment in `<state-dir>/kolla/`:
//! `record.json` (the inputs the actions last ran for, which finished, which
//! failed) and one log per action.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use crate::KollaError;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The `package` requirement the venv was installed with.
    pub package: Option<String>,
    /// The inputs' fingerprint the actions below ran for.
    pub inputs: Option<String>,
    /// The kolla-ansible version they ran with.
    pub version: Option<String>,
    /// Actions that finished, in order.
    pub done: Vec<String>,
    /// The action that failed last, where the next apply resumes.
    pub failed: Option<String>,
}

pub fn dir(state_dir: &Path) -> PathBuf {
    state_dir.join("kolla")
}

pub fn file(state_dir: &Path) -> PathBuf {
    dir(state_dir).join("record.json")
}

impl Record {
    /// The record, empty when there is none yet. One that cannot be read is
    /// an error, never an empty record: that would run every action again.
    pub fn load(state_dir: &Path) -> Result<Record, KollaError> {
        let path = file(state_dir);
        let bytes = match aio_fs::read_bounded(&path, aio_fs::Bound::RECORD) {
            Ok(bytes) => bytes,
            Err(e) if e.is_not_found() => return Ok(Record::default()),
            Err(e) => return Err(e.into()),
        };
        serde_json::from_slice(&bytes).map_err(|e| KollaError::Record {
            why: e.to_string(),
            path,
        })
    }

    pub fn save(&self, state_dir: &Path) -> std::io::Result<()> {
        let text = serde_json::to_vec_pretty(self)?;
        crate::files::write_atomic(&file(state_dir), &text)
    }

    /// Whether every one of `actions` finished for `inputs` with `version`.
    pub fn complete(&self, inputs: &str, version: Option<&str>, actions: &[String]) -> bool {
        self.inputs.as_deref() == Some(inputs)
            && self.version.as_deref() == version
            && self.failed.is_none()
            && self.done == actions
    }

    /// Where a run of `actions` for `inputs`/`version` starts: after those that
    /// already finished for the same inputs, or from the first.
    pub fn resume_at(&self, inputs: &str, version: Option<&str>, actions: &[String]) -> usize {
        let same = self.inputs.as_deref() == Some(inputs) && self.version.as_deref() == version;
        if same && actions.starts_with(&self.done) {
            self.done.len()
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actions() -> Vec<String> {
        ["prechecks", "deploy", "post-deploy"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn a_failure_resumes_where_it_stopped_and_new_inputs_start_over() {
        let r = Record {
            inputs: Some("A".into()),
            version: Some("20.1".into()),
            done: vec!["prechecks".into()],
            failed: Some("deploy".into()),
            ..Record::default()
        };
        assert!(!r.complete("A", Some("20.1"), &actions()));
        assert_eq!(r.resume_at("A", Some("20.1"), &actions()), 1);
        assert_eq!(r.resume_at("B", Some("20.1"), &actions()), 0);
        assert_eq!(r.resume_at("A", Some("20.2"), &actions()), 0);
    }
}
