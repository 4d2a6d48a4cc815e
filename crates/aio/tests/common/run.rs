//! Running the real `aio` binary, alone or against a [`Sandbox`], and
//! reading what it said.

use super::{Sandbox, change};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

/// `aio ARGS`, without the caller's colour and log settings (`NO_COLOR`,
/// `CLICOLOR_FORCE`, `RUST_LOG`): what it prints is the same wherever the
/// tests run. To add to, spawn or run.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aio"));
    command
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_LOG");
    command
}

/// [`command`], run to its end.
pub fn run(args: &[&str]) -> Output {
    command(args).output().unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn stdout(out: &Output) -> String {
    text(&out.stdout)
}

pub fn stderr(out: &Output) -> String {
    text(&out.stderr)
}

/// Its stdout, then its stderr.
pub fn said(out: &Output) -> String {
    stdout(out) + &stderr(out)
}

impl Sandbox {
    /// `aio COMMAND -f TOPOLOGY --netns NS --state-dir STATE EXTRA`, to add
    /// to, spawn or run.
    pub fn command(&self, command: &str, topology: &Path, extra: &[&str]) -> Command {
        let mut aio = self::command(&[command, "-f"]);
        aio.arg(topology)
            .args(["--netns", &self.ns, "--state-dir"])
            .arg(self.state.path())
            .args(extra);
        aio
    }

    /// Runs the real `aio` binary against this sandbox.
    pub fn aio(&self, command: &str, topology: &Path, extra: &[&str]) -> Output {
        self.aio_with(&[], command, topology, extra)
    }

    /// [`Sandbox::aio`] with extra environment variables.
    pub fn aio_with(
        &self,
        env: &[(&str, &str)],
        command: &str,
        topology: &Path,
        extra: &[&str],
    ) -> Output {
        self.command(command, topology, extra)
            .envs(env.iter().copied())
            .output()
            .unwrap()
    }

    /// `aio plan --json`: `(id, action)` of each change, in order.
    pub fn plan(&self, topology: &Path) -> Vec<(String, String)> {
        self.plan_with(&[], topology)
    }

    /// [`Sandbox::plan`] with extra environment variables.
    pub fn plan_with(&self, env: &[(&str, &str)], topology: &Path) -> Vec<(String, String)> {
        let out = self.aio_with(env, "plan", topology, &["--json"]);
        assert!(out.status.success(), "plan failed: {}", stderr(&out));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (super::s(&c["id"]), super::s(&c["action"])))
            .collect()
    }

    /// What `aio plan` printed on stdout, however it ended.
    pub fn plan_text(&self, topology: &Path) -> String {
        stdout(&self.aio("plan", topology, &[]))
    }

    /// `aio plan` shows `line`, and `aio plan --json` lists `changes` (`(id,
    /// action)`), no more.
    pub fn assert_planned(&self, topology: &Path, line: &str, changes: &[(&str, &str)]) {
        let text = self.plan_text(topology);
        assert!(text.contains(line), "{text}");
        let want: Vec<(String, String)> = changes.iter().map(|(i, a)| change(i, a)).collect();
        assert_eq!(self.plan(topology), want);
    }

    /// `aio apply --yes`, which must succeed: what it printed.
    pub fn apply(&self, topology: &Path) -> String {
        let out = self.aio("apply", topology, &["--yes"]);
        let stdout = stdout(&out);
        assert!(
            out.status.success(),
            "apply failed: {stdout}{}",
            stderr(&out)
        );
        stdout
    }
}
