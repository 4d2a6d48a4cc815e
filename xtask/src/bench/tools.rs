//! The tools the bench times, how each is invoked, and the one rotation
//! that takes them in turns.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::error::BenchError;

/// A program measured against the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Aio,
    /// `ip -batch`.
    Ip,
    /// `nmstatectl apply --kernel`.
    Nmstatectl,
    /// `ovs-vsctl`, one call per port.
    VsctlPerPort,
    /// `ovs-vsctl`, one call with a clause per port.
    VsctlOneCall,
}

impl Tool {
    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Aio => "aio",
            Tool::Ip => "ip",
            Tool::Nmstatectl => "nmstatectl",
            Tool::VsctlPerPort | Tool::VsctlOneCall => "ovs-vsctl",
        }
    }
}

/// Calls `turn(tool, run)` for every tool of every run, in turns: the
/// tools of run `run` are `tools(run)`, and their order rotates by one each
/// run, so that no tool always goes first. The one place tools take turns.
pub fn take_turns(
    runs: usize,
    tools: impl Fn(usize) -> Vec<Tool>,
    mut turn: impl FnMut(Tool, usize) -> Result<(), BenchError>,
) -> Result<(), BenchError> {
    for run in 0..runs {
        let tools = tools(run);
        for k in 0..tools.len() {
            turn(tools[(run + k) % tools.len()], run)?;
        }
    }
    Ok(())
}

/// Where the programs that are not on every machine are.
pub struct Programs {
    /// The release build of aio.
    pub aio: PathBuf,
    /// `None` when nmstatectl is not measured.
    pub nmstatectl: Option<PathBuf>,
}

impl Programs {
    /// `aio VERB -f TOPOLOGY --netns NS --state-dir STATE`, `--yes` for `apply`.
    pub fn aio(&self, verb: &str, topology: &Path, ns: &str, state: &Path) -> Command {
        let mut c = Command::new(&self.aio);
        c.arg(verb)
            .arg("-f")
            .arg(topology)
            .args(["--netns", ns, "--state-dir"])
            .arg(state);
        if verb == "apply" {
            c.arg("--yes");
        }
        c
    }

    /// `nmstatectl apply --kernel DESIRED` inside namespace `ns`.
    pub fn nmstatectl(&self, ns: &str, desired: &Path) -> Result<Command, BenchError> {
        let program = self
            .nmstatectl
            .as_ref()
            .ok_or(BenchError::Missing("nmstatectl"))?;
        let mut c = Command::new("ip");
        c.args(["netns", "exec", ns])
            .arg(program)
            .args(["apply", "--kernel"])
            .arg(desired);
        Ok(c)
    }
}

/// `ip -n NS -batch FILE`.
pub fn ip_batch(ns: &str, file: &Path) -> Command {
    let mut c = Command::new("ip");
    c.args(["-n", ns, "-batch"]).arg(file);
    c
}

/// `ovs-vsctl --db=DB --no-wait ARGS`.
pub fn vsctl(db: &str, args: &[String]) -> Command {
    let mut c = Command::new("ovs-vsctl");
    c.arg(format!("--db={db}")).arg("--no-wait").args(args);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_rotates_every_run() {
        let mut order = Vec::new();
        take_turns(
            3,
            |_| vec![Tool::Aio, Tool::Ip, Tool::Nmstatectl],
            |tool, run| {
                order.push((run, tool));
                Ok(())
            },
        )
        .unwrap();
        use Tool::*;
        assert_eq!(
            order,
            [
                (0, Aio),
                (0, Ip),
                (0, Nmstatectl),
                (1, Ip),
                (1, Nmstatectl),
                (1, Aio),
                (2, Nmstatectl),
                (2, Aio),
                (2, Ip),
            ]
        );
    }
}
