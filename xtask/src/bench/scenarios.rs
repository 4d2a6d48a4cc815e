//! The measured scenarios: N triples from empty (aio, ip -batch and
//! nmstatectl in turns), converged and after drift; N OVS ports (aio,
//! ovs-vsctl per port and in one call, in turns). Each timed run is
//! preceded by a pause, and Ctrl-C stops the bench between runs.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use aio_sandbox::ovs::Ovsdb;

use super::equality::same;
use super::error::BenchError;
use super::inputs;
use super::measure::{self, Sample, quiet};
use super::namespaces::{self, OVS};
use super::results::{Metric, Results};
use super::tools::{Programs, Tool, ip_batch, take_turns, vsctl};

pub struct Bench {
    pub programs: Programs,
    /// Inputs, aio's state directories and the last run's stderr.
    pub work: PathBuf,
    /// Set by Ctrl-C.
    pub stop: Arc<AtomicBool>,
    pub runs: usize,
}

/// Runs of what takes tens of seconds at N = 1000 (per-port ovs-vsctl,
/// nmstatectl): fewer there.
fn slow_runs(n: usize, runs: usize) -> usize {
    if n >= 1000 { runs.min(3) } else { runs }
}

/// The largest N the slow peers are measured at: per-port ovs-vsctl takes
/// ~30 s at N = 1000 and grows as N^1.5 (25 min at 10 000), one ovs-vsctl
/// call of N clauses grows as N^2 (2 min at 10 000), nmstatectl more than
/// a minute at 1000.
pub const SLOW_PEERS_UP_TO: usize = 1000;

impl Bench {
    /// Runs of everything at N: at most 3 at N = 10 000 and beyond, where one
    /// apply takes tens of seconds and a namespace holds 30 000 links.
    pub fn runs_at(&self, n: usize) -> usize {
        if n >= 10_000 {
            self.runs.min(3)
        } else {
            self.runs
        }
    }

    /// The tools that fill a namespace each in run `run` at N triples.
    fn link_tools(&self, n: usize, run: usize) -> Vec<Tool> {
        let mut tools = vec![Tool::Aio, Tool::Ip];
        if self.nmstate(n, run) {
            tools.push(Tool::Nmstatectl);
        }
        tools
    }

    fn nmstate(&self, n: usize, run: usize) -> bool {
        self.programs.nmstatectl.is_some() && n <= SLOW_PEERS_UP_TO && run < slow_runs(n, self.runs)
    }

    /// Every namespace the scenarios at `sizes` use, OVS's if `ovs`.
    pub fn namespaces(&self, sizes: &[usize], ovs: bool) -> Vec<String> {
        let mut names = Vec::new();
        for n in sizes {
            for run in 0..self.runs_at(*n) {
                names.extend(
                    self.link_tools(*n, run)
                        .into_iter()
                        .map(|tool| namespaces::name(*n, tool, run)),
                );
            }
        }
        if ovs {
            names.push(OVS.to_string());
            names.extend(sizes.iter().map(|n| namespaces::watch(*n)));
        }
        names
    }

    pub(super) fn file(&self, name: &str, text: &str) -> Result<PathBuf, BenchError> {
        let path = self.work.join(name);
        std::fs::write(&path, text).map_err(BenchError::file(&path))?;
        Ok(path)
    }

    fn log(&self) -> PathBuf {
        self.work.join("stderr.log")
    }

    pub(super) fn checkpoint(&self) -> Result<(), BenchError> {
        if self.stop.load(Ordering::SeqCst) {
            Err(BenchError::Interrupted)
        } else {
            Ok(())
        }
    }

    /// A pause between timed runs, so what the kernel does after one (freeing, timers) is not billed to the next.
    fn pause(&self, n: usize) {
        std::thread::sleep(Duration::from_millis(300 + n as u64 * 3 / 2));
    }

    fn timed(
        &self,
        results: &mut Results,
        metric: Metric,
        n: usize,
        c: &mut Command,
    ) -> Result<(), BenchError> {
        self.timed_expecting(results, metric, n, c, 0)
    }

    /// A pause, then `c` timed, failing unless it exits with `code`.
    fn timed_expecting(
        &self,
        results: &mut Results,
        metric: Metric,
        n: usize,
        c: &mut Command,
        code: i32,
    ) -> Result<(), BenchError> {
        self.checkpoint()?;
        self.pause(n);
        let s = measure::run_expecting(c, &self.log(), code)?;
        record(results, metric, n, s);
        Ok(())
    }

    /// Links and addresses: from empty, converged, after drift; what aio
    /// made checked against what ip made after the first and the last.
    pub fn links(&self, n: usize, results: &mut Results) -> Result<(), BenchError> {
        println!("links and addresses, N = {n}");
        let topology = self.file(&format!("topology-{n}.toml"), &inputs::topology(n))?;
        let creations = self.file(&format!("create-{n}.batch"), &inputs::creations(n))?;
        let drift = self.file(&format!("drift-{n}.batch"), &inputs::drift(n))?;
        let desired = self.file(&format!("nmstate-{n}.yml"), &inputs::nmstate(n))?;
        let state = |run: usize| self.work.join(format!("state-{n}-{run}"));
        let ns = |tool: Tool, run: usize| namespaces::name(n, tool, run);
        let aio = |verb: &str, run: usize| {
            self.programs
                .aio(verb, &topology, &ns(Tool::Aio, run), &state(run))
        };
        let check = |tool: Tool| same(&ns(Tool::Aio, 0), tool.name(), &ns(tool, 0));

        take_turns(
            self.runs_at(n),
            |run| self.link_tools(n, run),
            |tool, run| {
                let (metric, mut c) = match tool {
                    Tool::Aio => (Metric::AioApply, aio("apply", run)),
                    Tool::Ip => (Metric::IpBatch, ip_batch(&ns(tool, run), &creations)),
                    Tool::Nmstatectl => (
                        Metric::NmApply,
                        self.programs.nmstatectl(&ns(tool, run), &desired)?,
                    ),
                    Tool::VsctlPerPort | Tool::VsctlOneCall => {
                        unreachable!("ovs-vsctl makes no links")
                    }
                };
                self.timed(results, metric, n, &mut c)
            },
        )?;
        check(Tool::Ip)?;
        if self.nmstate(n, 0)
            && let Err(e) = check(Tool::Nmstatectl)
        {
            results
                .notes
                .push(format!("N = {n}: nmstatectl made something else: {e}"));
        }

        for run in 0..self.runs_at(n) {
            // --detailed-exitcode: anything but "no changes" fails the run.
            let mut plan = aio("plan", run);
            plan.arg("--detailed-exitcode");
            self.timed(results, Metric::AioNoopPlan, n, &mut plan)?;
            self.timed(results, Metric::AioNoopApply, n, &mut aio("apply", run))?;
            self.checkpoint()?;
            self.pause(n);
            let links = measure::run(
                Command::new("ip").args(["-n", &ns(Tool::Aio, run), "-d", "link", "show"]),
                &self.log(),
            )?;
            let addrs = measure::run(
                Command::new("ip").args(["-n", &ns(Tool::Aio, run), "addr", "show"]),
                &self.log(),
            )?;
            record(results, Metric::IpDump, n, links.then(addrs));
            if self.nmstate(n, run) {
                let mut c = self
                    .programs
                    .nmstatectl(&ns(Tool::Nmstatectl, run), &desired)?;
                self.timed(results, Metric::NmNoop, n, &mut c)?;
            }
        }

        for run in 0..self.runs_at(n) {
            quiet(&mut ip_batch(&ns(Tool::Aio, run), &drift))?;
            // Exit 2 of --detailed-exitcode: changes pending, as they must be.
            let mut plan = aio("plan", run);
            plan.arg("--detailed-exitcode");
            self.timed_expecting(results, Metric::AioDriftPlan, n, &mut plan, 2)?;
            self.timed(results, Metric::AioRepair, n, &mut aio("apply", run))?;
        }
        check(Tool::Ip)
    }

    /// N OVS ports: aio's one transaction against ovs-vsctl.
    pub fn ovs(&self, n: usize, results: &mut Results) -> Result<(), BenchError> {
        println!("OVS ports, N = {n}");
        let tools = match n <= SLOW_PEERS_UP_TO {
            true => vec![Tool::Aio, Tool::VsctlPerPort, Tool::VsctlOneCall],
            false => vec![Tool::Aio],
        };
        take_turns(
            slow_runs(n, self.runs),
            |_| tools.clone(),
            |tool, run| self.ovs_turn(tool, n, run, results),
        )
    }

    /// `tool`'s run `run` on a fresh private ovsdb-server, failing unless
    /// it leaves N ports on br0.
    fn ovs_turn(
        &self,
        tool: Tool,
        n: usize,
        run: usize,
        results: &mut Results,
    ) -> Result<(), BenchError> {
        self.checkpoint()?;
        let db = Ovsdb::start(&[]);
        db.vsctl(&["init"]);
        match tool {
            Tool::Aio => {
                let topology = self.file(
                    &format!("ovs-{n}.toml"),
                    &inputs::ovs_topology(n, &db.unix()),
                )?;
                let state = self.work.join(format!("ovs-state-{n}-{run}"));
                let before = records(&db)?;
                let mut c = self.programs.aio("apply", &topology, OVS, &state);
                self.timed(results, Metric::OvsAio, n, &mut c)?;
                let committed = records(&db)? - before;
                let seen = results.ovs_transactions.entry(n).or_insert(committed);
                *seen = (*seen).max(committed);
            }
            Tool::VsctlPerPort => {
                self.pause(n);
                let bridge = ["add-br".to_string(), "br0".to_string()];
                let mut total = measure::run(&mut vsctl(&db.unix(), &bridge), &self.log())?;
                for i in 0..n {
                    let port = inputs::vsctl_port(i);
                    total = total.then(measure::run(&mut vsctl(&db.unix(), &port), &self.log())?);
                }
                record(results, Metric::OvsEach, n, total);
            }
            Tool::VsctlOneCall => {
                let mut c = vsctl(&db.unix(), &inputs::vsctl_all(n));
                self.timed(results, Metric::OvsOne, n, &mut c)?;
            }
            Tool::Ip | Tool::Nmstatectl => unreachable!("{} makes no OVS ports", tool.name()),
        }
        let found = db.vsctl(&["list-ports", "br0"]).lines().count();
        if found != n {
            return Err(BenchError::OvsPorts { found, expected: n });
        }
        Ok(())
    }
}

fn record(results: &mut Results, metric: Metric, n: usize, s: Sample) {
    println!(
        "  N = {n:>4}  {:<44} {:>9.1} ms {:>6.1} MiB",
        metric.label(),
        s.secs * 1000.0,
        s.rss_kib as f64 / 1024.0
    );
    results.add(metric, n, s);
}

/// Transactions committed to `db`'s file so far (`ovsdb-tool show-log`).
fn records(db: &Ovsdb) -> Result<usize, BenchError> {
    let log = quiet(
        Command::new("ovsdb-tool")
            .arg("show-log")
            .arg(db.dir().join("conf.db")),
    )?;
    Ok(log.lines().filter(|l| l.starts_with("record ")).count())
}
