//! `ansible-playbook` of the kolla venv, run inside the lab's namespace
//! against the VMs, with the collection of this checkout and the run read
//! back as one JSON document (a stdout callback of our own, since
//! ansible-core alone has no JSON callback).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aio_vm::Lab;
use serde_json::Value;

use super::super::remote::said;
use crate::shell::root;

/// The stdout callback that prints the run as JSON: the one the Ansible
/// tests use.
const CALLBACK: &str =
    include_str!("../../../../crates/aio/tests/ansible/callback_plugins/aio_test_json.py");
const CALLBACK_NAME: &str = "aio_test_json";
/// How long one playbook run may take before `timeout` stops it.
const PLAYBOOK_DEADLINE_S: u32 = 900;
/// `ansible-playbook`'s exit code when a host was unreachable.
pub const EXIT_UNREACHABLE: i32 = 4;
/// The name of the role's task that runs the `aio.host.topology` module.
pub const CONVERGE_TASK: &str = "Converge the host's plumbing";

/// A playbook, its inventory and the directory Ansible keeps its files in.
pub struct Playbook {
    dir: PathBuf,
    inventory: PathBuf,
    playbook: PathBuf,
}

/// One finished `ansible-playbook` run.
pub struct Outcome {
    /// Its exit code (`None` when a signal ended it).
    pub code: Option<i32>,
    pub took: Duration,
    doc: Value,
}

impl Playbook {
    /// Writes `inventory` (JSON, which Ansible reads as YAML), `playbook`
    /// and the callback under `dir`.
    pub fn write(dir: &Path, inventory: &Value, playbook: &str) -> Result<Self, String> {
        let venv_playbook = ansible_playbook();
        if !venv_playbook.exists() {
            return Err(format!(
                "{} is missing: `cargo xtask setup` makes the kolla venv",
                venv_playbook.display()
            ));
        }
        let callbacks = dir.join("callback_plugins");
        std::fs::create_dir_all(&callbacks).map_err(|e| format!("{}: {e}", callbacks.display()))?;
        let files = [
            (
                callbacks.join(format!("{CALLBACK_NAME}.py")),
                CALLBACK.to_string(),
            ),
            (dir.join("hosts.yml"), inventory.to_string()),
            (dir.join("site.yml"), playbook.to_string()),
        ];
        for (path, text) in &files {
            std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            inventory: dir.join("hosts.yml"),
            playbook: dir.join("site.yml"),
        })
    }

    /// Runs the playbook with `args` (`--check`, `--diff`) inside the lab.
    /// Persistent SSH masters are off, so that no `ssh` outlives the run;
    /// pipelining makes one connection per task (TCG makes each costly).
    pub fn run(&self, lab: &Lab, args: &[&str]) -> Result<Outcome, String> {
        let started = Instant::now();
        let mut command = lab.command("timeout");
        command
            .args(["-k", "10", &PLAYBOOK_DEADLINE_S.to_string()])
            .arg(ansible_playbook())
            .arg("-i")
            .arg(&self.inventory)
            .arg(&self.playbook)
            .args(args)
            .env("ANSIBLE_COLLECTIONS_PATH", root().join("ansible"))
            .env(
                "ANSIBLE_CALLBACK_PLUGINS",
                self.dir.join("callback_plugins"),
            )
            .env("ANSIBLE_STDOUT_CALLBACK", CALLBACK_NAME)
            .env("ANSIBLE_HOME", self.dir.join("home"))
            .env("ANSIBLE_LOCAL_TEMP", self.dir.join("tmp"))
            .env("ANSIBLE_NOCOLOR", "1")
            .env("ANSIBLE_RETRY_FILES_ENABLED", "false")
            .env("ANSIBLE_HOST_KEY_CHECKING", "false")
            .env("ANSIBLE_PIPELINING", "true")
            .env("ANSIBLE_TIMEOUT", "30")
            .env(
                "ANSIBLE_SSH_ARGS",
                "-o ControlMaster=no -o ServerAliveInterval=5 -o ServerAliveCountMax=6",
            )
            .env_remove("ANSIBLE_CONFIG")
            .current_dir(&self.dir);
        let out = command
            .output()
            .map_err(|e| format!("ansible-playbook: {e}"))?;
        let took = started.elapsed();
        if out.status.code() == Some(124) {
            return Err(format!(
                "ansible-playbook did not finish within {PLAYBOOK_DEADLINE_S} s: {}",
                said(&out)
            ));
        }
        let doc = parse(&String::from_utf8_lossy(&out.stdout))
            .map_err(|why| format!("{why}; ansible-playbook said: {}", said(&out)))?;
        Ok(Outcome {
            code: out.status.code(),
            took,
            doc,
        })
    }
}

fn ansible_playbook() -> PathBuf {
    Path::new(aio_sandbox::KOLLA_VENV).join("bin/ansible-playbook")
}

/// The JSON document the callback printed: it begins on the first line
/// that starts with `{`; warnings (which may hold braces) come before it.
fn parse(stdout: &str) -> Result<Value, String> {
    let start = if stdout.starts_with('{') {
        0
    } else {
        stdout
            .find("\n{")
            .map(|at| at + 1)
            .ok_or("ansible-playbook printed no JSON")?
    };
    serde_json::from_str(&stdout[start..]).map_err(|e| format!("its JSON does not parse: {e}"))
}

impl Outcome {
    /// The hosts the recap counts `what` (`changed`, `unreachable`,
    /// `failures`, `ok`) on, sorted.
    pub fn hosts_with(&self, what: &str) -> Vec<String> {
        self.doc["stats"]
            .as_object()
            .map(|stats| {
                stats
                    .iter()
                    .filter(|(_, s)| s[what].as_u64().unwrap_or(0) > 0)
                    .map(|(host, _)| host.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The hosts the recap counts a change on.
    pub fn changed(&self) -> Vec<String> {
        self.hosts_with("changed")
    }

    /// The result of the task named `task` (role prefix aside) on `host`.
    pub fn result(&self, task: &str, host: &str) -> Option<&Value> {
        self.doc["plays"]
            .as_array()?
            .iter()
            .filter_map(|play| play["tasks"].as_array())
            .flatten()
            .filter(|t| {
                t["task"]["name"]
                    .as_str()
                    .is_some_and(|name| name == task || name.ends_with(&format!(" : {task}")))
            })
            .find_map(|t| t["hosts"].get(host))
    }

    /// The module's result on `host`, or why there is none.
    pub fn converge(&self, host: &str) -> Result<&Value, String> {
        self.result(CONVERGE_TASK, host)
            .ok_or_else(|| format!("no result of \"{CONVERGE_TASK}\" on {host}:\n{self}"))
    }

    /// The recap, one host a line, for failure messages.
    pub fn recap(&self) -> String {
        self.doc["stats"].to_string()
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = serde_json::to_string_pretty(&self.doc).unwrap_or_default();
        // The whole run can be long; its end holds the recap and the last tasks.
        let tail: String = text
            .chars()
            .rev()
            .take(6000)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        write!(f, "exit {:?}; the run as JSON (end):\n{tail}", self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(json: &str) -> Outcome {
        Outcome {
            code: Some(0),
            took: Duration::ZERO,
            doc: parse(json).unwrap_or_default(),
        }
    }

    const RUN: &str = r#"[WARNING]: something first
{"plays": [{"play": {"name": "all"}, "tasks": [
   {"task": {"name": "Gathering"}, "hosts": {"vm0": {"changed": false}}},
   {"task": {"name": "aio.host.plumbing : Converge the host's plumbing"},
    "hosts": {"vm0": {"changed": true}, "vm2": {"unreachable": true}}}]}],
 "stats": {"vm0": {"changed": 1, "ok": 3, "unreachable": 0},
           "vm1": {"changed": 0, "ok": 3, "unreachable": 0},
           "vm2": {"changed": 0, "ok": 1, "unreachable": 1}}}"#;

    #[test]
    fn a_warning_with_braces_before_the_document_is_skipped() {
        let run = parse(&format!("[WARNING]: a value {{x}} was templated\n{RUN}"));
        assert!(run.is_ok(), "{run:?}");
        assert!(parse("[WARNING]: {only a warning}\n").is_err());
    }

    #[test]
    fn the_recap_says_which_hosts_changed_and_which_were_unreachable() {
        let run = outcome(RUN);
        assert_eq!(run.changed(), ["vm0"]);
        assert_eq!(run.hosts_with("unreachable"), ["vm2"]);
        assert_eq!(run.hosts_with("ok"), ["vm0", "vm1", "vm2"]);
        assert!(run.hosts_with("failures").is_empty());
    }

    #[test]
    fn a_role_task_is_found_by_its_own_name() {
        let run = outcome(RUN);
        assert_eq!(
            run.converge("vm0").ok().map(|r| r["changed"].clone()),
            Some(Value::Bool(true))
        );
        assert_eq!(
            run.converge("vm2").ok().map(|r| r["unreachable"].clone()),
            Some(Value::Bool(true))
        );
        assert!(run.converge("vm1").is_err());
        assert!(run.result("Converge", "vm0").is_none());
    }

    #[test]
    fn a_run_without_json_is_an_error() {
        assert!(parse("ERROR! the playbook could not be read").is_err());
    }
}
