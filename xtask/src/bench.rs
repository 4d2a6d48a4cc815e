//! `cargo xtask bench`: what aio costs for N bridge + veth + address triples
//! (N = 10, 100, 300, 1000), against `ip -batch` of the same creations,
//! optionally `nmstatectl apply --kernel`, and for N OVS ports against
//! `ovs-vsctl`; medians, ratios and peak RSS go to docs/benchmarks.md
//! (between its markers) and docs/benchmarks.svg.
//!
//! Every namespace a run needs is created first (with an uplink and a
//! default route, IPv6 off so no autoconfiguration runs in the background),
//! the machine settles, the tools are measured alternately, and the
//! namespaces are deleted only at the end, also after a failure or Ctrl-C:
//! deleting one with thousands of links keeps the kernel's RTNL lock busy
//! for seconds. The machine's own network namespace is never touched. Not a
//! test: nothing here runs under `cargo test`.

mod inputs;
mod measure;
mod report;
mod results;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use aio_sandbox::ovs::Ovsdb;
use measure::{Sample, quiet};
use results::{Machine, Metric, Results};

use crate::{require_root, root, sh};

/// Every namespace the bench makes starts with this.
const PREFIX: &str = "aio-bench-";
/// The namespace aio's OVS runs take their facts from.
const OVS_NS: &str = "aio-bench-ovs";

struct Options {
    sizes: Vec<usize>,
    runs: usize,
    nmstate: bool,
    write: bool,
}

fn options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        sizes: vec![10, 100, 300, 1000],
        runs: 5,
        nmstate: false,
        write: true,
    };
    let mut args = args.iter();
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--with-nmstate" => o.nmstate = true,
            "--no-write" => o.write = false,
            "--runs" => o.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--sizes" => {
                o.sizes = value()?
                    .split(',')
                    .map(|n| n.trim().parse().map_err(|e| format!("--sizes: {e}")))
                    .collect::<Result<_, _>>()?;
                o.sizes.sort_unstable();
                o.sizes.dedup();
            }
            _ => {
                return Err(format!(
                    "unknown argument {a}: cargo xtask bench [--with-nmstate] [--runs R] [--sizes 10,100,300,1000] [--no-write]"
                ));
            }
        }
    }
    if o.runs == 0 || o.sizes.is_empty() || o.sizes.contains(&0) {
        return Err("--runs and every size must be at least 1".into());
    }
    Ok(o)
}

pub fn run(args: &[String]) -> Result<(), String> {
    require_root("cargo xtask bench")?;
    let o = options(args)?;
    if !on_path("ip") {
        return Err("`ip` (iproute2) is needed".into());
    }
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)).map_err(|e| e.to_string())?;
    sh(
        "cargo",
        &["build", "--release", "--quiet", "--package", "aio"],
    )?;
    let mut results = Results {
        sizes: o.sizes.clone(),
        runs: o.runs,
        ..Results::default()
    };
    let nmstatectl = if o.nmstate {
        nmstatectl(&mut results.notes)
    } else {
        results.notes.push(
            "nmstatectl was not measured (`cargo xtask bench --with-nmstate` adds it)".into(),
        );
        None
    };
    let ovs = ["ovsdb-server", "ovsdb-tool", "ovs-vsctl"]
        .iter()
        .all(|p| on_path(p));
    if !ovs {
        results
            .notes
            .push("OVS was not measured: ovsdb-server, ovsdb-tool or ovs-vsctl is missing (package openvswitch-switch)".into());
    }
    let work = root().join("target/bench");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    results.machine = machine(nmstatectl.as_deref(), ovs);

    let bench = Bench {
        aio: root().join("target/release/aio"),
        work,
        nmstatectl,
        stop,
    };
    let namespaces = Namespaces::create(&bench, &o, ovs)?;
    println!(
        "settling for 5 s after creating {} namespaces",
        namespaces.0.len()
    );
    std::thread::sleep(Duration::from_secs(5));
    let measured = o.sizes.iter().try_for_each(|n| {
        bench.links(*n, o.runs, &mut results)?;
        if ovs {
            bench.ovs(*n, slow_runs(*n, o.runs), &mut results)?;
        }
        Ok::<(), String>(())
    });
    println!(
        "deleting {} namespaces (the kernel goes on freeing their links for a while)",
        namespaces.0.len()
    );
    drop(namespaces);
    measured?;

    let text = report::markdown(&results);
    println!("\n{text}");
    if o.write {
        report::write(&root().join("docs"), &results)?;
        println!("written: docs/benchmarks.md (between its markers), docs/benchmarks.svg");
    }
    Ok(())
}

fn on_path(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// nmstatectl from PATH or target/peers, installed there by cargo if missing;
/// `None` (with a note) if that fails.
fn nmstatectl(notes: &mut Vec<String>) -> Option<PathBuf> {
    let local = root().join("target/peers/bin/nmstatectl");
    if local.exists() {
        return Some(local);
    }
    if on_path("nmstatectl") {
        return Some(PathBuf::from("nmstatectl"));
    }
    let root = root().join("target/peers").display().to_string();
    match sh(
        "cargo",
        &["install", "--quiet", "nmstatectl", "--root", &root],
    ) {
        Ok(()) if local.exists() => Some(local),
        Ok(()) => {
            notes.push(
                "nmstatectl was not measured: `cargo install nmstatectl` installed no binary"
                    .into(),
            );
            None
        }
        Err(e) => {
            notes.push(format!("nmstatectl was not measured: {e}"));
            None
        }
    }
}

fn first_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| {
            let text = if o.stdout.is_empty() {
                o.stderr
            } else {
                o.stdout
            };
            String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .unwrap_or_default()
}

fn machine(nmstatectl: Option<&Path>, ovs: bool) -> Machine {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let field = |text: &str, key: &str| {
        text.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let memory = field(&read("/proc/meminfo"), "MemTotal")
        .trim_end_matches(" kB")
        .parse::<f64>()
        .map_or("?".into(), |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0));
    let commit = first_line(
        "git",
        &[
            "-C",
            &root().display().to_string(),
            "rev-parse",
            "--short",
            "HEAD",
        ],
    );
    let dirty = !first_line(
        "git",
        &["-C", &root().display().to_string(), "status", "--porcelain"],
    )
    .is_empty();
    let mut tools = vec![first_line("ip", &["-V"])];
    if ovs {
        tools.push(first_line("ovs-vsctl", &["--version"]));
    }
    if let Some(nm) = nmstatectl {
        tools.push(first_line(&nm.display().to_string(), &["--version"]));
    }
    Machine {
        cpu: field(&read("/proc/cpuinfo"), "model name"),
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        kernel: read("/proc/sys/kernel/osrelease").trim().to_string(),
        memory,
        date: first_line("date", &["-u", "+%Y-%m-%d"]),
        aio: format!(
            "{commit}{}",
            if dirty {
                " with uncommitted changes"
            } else {
                ""
            }
        ),
        tools,
    }
}

/// The namespaces of one run, deleted when dropped.
struct Namespaces(Vec<String>);

/// Runs of what takes tens of seconds at N = 1000 (per-port ovs-vsctl,
/// nmstatectl): fewer there.
fn slow_runs(n: usize, runs: usize) -> usize {
    if n >= 1000 { runs.min(3) } else { runs }
}

fn ns_name(n: usize, tag: char, run: usize) -> String {
    format!("{PREFIX}{n}-{tag}{run}")
}

impl Namespaces {
    fn create(bench: &Bench, o: &Options, ovs: bool) -> Result<Namespaces, String> {
        remove_leftovers();
        let mut names = Vec::new();
        for n in &o.sizes {
            for run in 0..o.runs {
                names.extend(['a', 'i'].iter().map(|t| ns_name(*n, *t, run)));
                if bench.nmstatectl.is_some() && run < slow_runs(*n, o.runs) {
                    names.push(ns_name(*n, 'n', run));
                }
            }
        }
        if ovs {
            names.push(OVS_NS.to_string());
        }
        let base = bench.work.join("base.batch");
        std::fs::write(&base, inputs::base()).map_err(|e| e.to_string())?;
        let mut made = Namespaces(Vec::new());
        for name in names {
            quiet(Command::new("ip").args(["netns", "add", &name]))?;
            made.0.push(name.clone());
            quiet(Command::new("ip").args(["-n", &name, "-batch"]).arg(&base))?;
            quiet(
                Command::new("ip")
                    .args(["netns", "exec", &name, "sysctl", "-q", "-w"])
                    .args([
                        "net.ipv6.conf.all.disable_ipv6=1",
                        "net.ipv6.conf.default.disable_ipv6=1",
                    ]),
            )?;
        }
        Ok(made)
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = quiet(Command::new("ip").args(["netns", "del", name]));
        }
    }
}

/// Namespaces an interrupted earlier run left.
fn remove_leftovers() {
    let listed = quiet(Command::new("ip").args(["netns", "list"])).unwrap_or_default();
    let old: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| n.starts_with(PREFIX))
        .collect();
    if old.is_empty() {
        return;
    }
    println!("deleting {} namespaces an earlier run left", old.len());
    for name in old {
        let _ = quiet(Command::new("ip").args(["netns", "del", name]));
    }
    std::thread::sleep(Duration::from_secs(10));
}

struct Bench {
    aio: PathBuf,
    work: PathBuf,
    nmstatectl: Option<PathBuf>,
    stop: Arc<AtomicBool>,
}

/// The tools of the from-empty phase, taken in turns.
#[derive(Clone, Copy)]
enum Tool {
    Aio,
    Ip,
    Nmstate,
}

impl Bench {
    fn file(&self, name: &str, text: &str) -> Result<PathBuf, String> {
        let path = self.work.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(path)
    }

    fn log(&self) -> PathBuf {
        self.work.join("stderr.log")
    }

    fn checkpoint(&self) -> Result<(), String> {
        if self.stop.load(Ordering::SeqCst) {
            Err("interrupted".into())
        } else {
            Ok(())
        }
    }

    /// A pause between timed runs, so what the kernel does after one (freeing, timers) is not billed to the next.
    fn pause(&self, n: usize) {
        std::thread::sleep(Duration::from_millis(300 + n as u64 * 3 / 2));
    }

    fn aio(&self, verb: &str, topology: &Path, ns: &str, state: &Path) -> Command {
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

    fn timed(
        &self,
        results: &mut Results,
        metric: Metric,
        n: usize,
        c: &mut Command,
    ) -> Result<(), String> {
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
    ) -> Result<(), String> {
        self.checkpoint()?;
        self.pause(n);
        let s = measure::run_expecting(c, &self.log(), code)?;
        record(results, metric, n, s);
        Ok(())
    }

    /// Links and addresses: from empty, converged, after drift.
    fn links(&self, n: usize, runs: usize, results: &mut Results) -> Result<(), String> {
        println!("links and addresses, N = {n}");
        let topology = self.file(&format!("topology-{n}.toml"), &inputs::topology(n))?;
        let creations = self.file(&format!("create-{n}.batch"), &inputs::creations(n))?;
        let drift = self.file(&format!("drift-{n}.batch"), &inputs::drift(n))?;
        let desired = self.file(&format!("nmstate-{n}.yml"), &inputs::nmstate(n))?;
        let state = |run: usize| self.work.join(format!("state-{n}-{run}"));
        let nmstate = |run: usize| self.nmstatectl.is_some() && run < slow_runs(n, runs);
        for run in 0..runs {
            let mut tools = vec![Tool::Aio, Tool::Ip];
            if nmstate(run) {
                tools.push(Tool::Nmstate);
            }
            for k in 0..tools.len() {
                match tools[(run + k) % tools.len()] {
                    Tool::Aio => {
                        let ns = ns_name(n, 'a', run);
                        self.timed(
                            results,
                            Metric::AioApply,
                            n,
                            &mut self.aio("apply", &topology, &ns, &state(run)),
                        )?
                    }
                    Tool::Ip => {
                        let ns = ns_name(n, 'i', run);
                        let mut c = Command::new("ip");
                        c.args(["-n", &ns, "-batch"]).arg(&creations);
                        self.timed(results, Metric::IpBatch, n, &mut c)?
                    }
                    Tool::Nmstate => self.timed(
                        results,
                        Metric::NmApply,
                        n,
                        &mut self.nmstate(n, run, &desired),
                    )?,
                };
            }
        }
        same(&ns_name(n, 'a', 0), &ns_name(n, 'i', 0))?;
        if nmstate(0)
            && let Err(e) = same(&ns_name(n, 'a', 0), &ns_name(n, 'n', 0))
        {
            results
                .notes
                .push(format!("N = {n}: nmstatectl made something else: {e}"));
        }
        for run in 0..runs {
            let ns = ns_name(n, 'a', run);
            // --detailed-exitcode: anything but "no changes" fails the run.
            let mut plan = self.aio("plan", &topology, &ns, &state(run));
            plan.arg("--detailed-exitcode");
            self.timed(results, Metric::AioNoopPlan, n, &mut plan)?;
            self.timed(
                results,
                Metric::AioNoopApply,
                n,
                &mut self.aio("apply", &topology, &ns, &state(run)),
            )?;
            if nmstate(run) {
                self.timed(
                    results,
                    Metric::NmNoop,
                    n,
                    &mut self.nmstate(n, run, &desired),
                )?;
            }
        }
        for run in 0..runs {
            let ns = ns_name(n, 'a', run);
            quiet(Command::new("ip").args(["-n", &ns, "-batch"]).arg(&drift))?;
            // Exit 2 of --detailed-exitcode: changes pending, as they must be.
            let mut plan = self.aio("plan", &topology, &ns, &state(run));
            plan.arg("--detailed-exitcode");
            self.timed_expecting(results, Metric::AioDriftPlan, n, &mut plan, 2)?;
            self.timed(
                results,
                Metric::AioRepair,
                n,
                &mut self.aio("apply", &topology, &ns, &state(run)),
            )?;
        }
        same(&ns_name(n, 'a', 0), &ns_name(n, 'i', 0))
    }

    fn nmstate(&self, n: usize, run: usize, desired: &Path) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &ns_name(n, 'n', run)])
            .arg(self.nmstatectl.as_ref().expect("measured only when found"))
            .args(["apply", "--kernel"])
            .arg(desired);
        c
    }

    /// N OVS ports: aio's one transaction against ovs-vsctl, each on a fresh private ovsdb-server.
    fn ovs(&self, n: usize, runs: usize, results: &mut Results) -> Result<(), String> {
        println!("OVS ports, N = {n}");
        for run in 0..runs {
            for k in 0..3 {
                self.checkpoint()?;
                let db = Ovsdb::start(&[]);
                db.vsctl(&["init"]);
                match (run + k) % 3 {
                    0 => {
                        let topology = self.file(
                            &format!("ovs-{n}.toml"),
                            &inputs::ovs_topology(n, &db.unix()),
                        )?;
                        let state = self.work.join(format!("ovs-state-{n}-{run}"));
                        let before = records(&db)?;
                        self.timed(
                            results,
                            Metric::OvsAio,
                            n,
                            &mut self.aio("apply", &topology, OVS_NS, &state),
                        )?;
                        let committed = records(&db)? - before;
                        let seen = results.ovs_transactions.entry(n).or_insert(committed);
                        *seen = (*seen).max(committed);
                    }
                    1 => {
                        let vsctl = |args: &[String]| {
                            let mut c = Command::new("ovs-vsctl");
                            c.arg(format!("--db={}", db.unix()))
                                .arg("--no-wait")
                                .args(args);
                            c
                        };
                        self.pause(n);
                        let mut total = measure::run(
                            &mut vsctl(&["add-br".into(), "br0".into()]),
                            &self.log(),
                        )?;
                        for i in 0..n {
                            total = total.then(measure::run(
                                &mut vsctl(&inputs::vsctl_port(i)),
                                &self.log(),
                            )?);
                        }
                        record(results, Metric::OvsEach, n, total);
                    }
                    _ => {
                        let mut c = Command::new("ovs-vsctl");
                        c.arg(format!("--db={}", db.unix()))
                            .arg("--no-wait")
                            .args(inputs::vsctl_all(n));
                        self.timed(results, Metric::OvsOne, n, &mut c)?;
                    }
                }
                let ports = db.vsctl(&["list-ports", "br0"]).lines().count();
                if ports != n {
                    return Err(format!("OVS run left {ports} ports on br0, not {n}"));
                }
            }
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
fn records(db: &Ovsdb) -> Result<usize, String> {
    let log = quiet(
        Command::new("ovsdb-tool")
            .arg("show-log")
            .arg(db.dir().join("conf.db")),
    )?;
    Ok(log.lines().filter(|l| l.starts_with("record ")).count())
}

/// What two namespaces hold of the bench's objects: links (name, up, master) and IPv4 addresses.
fn contents(ns: &str) -> Result<BTreeSet<String>, String> {
    let links = quiet(Command::new("ip").args(["-n", ns, "-o", "link", "show"]))?;
    let mut out: BTreeSet<String> = links
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace().skip(1);
            let name = words
                .next()?
                .trim_end_matches(':')
                .split('@')
                .next()?
                .to_string();
            let up = l.contains(",UP") || l.contains("<UP");
            let master = l
                .split(" master ")
                .nth(1)
                .and_then(|m| m.split_whitespace().next());
            Some(format!(
                "link {name} up={up} master={}",
                master.unwrap_or("-")
            ))
        })
        .collect();
    let addrs = quiet(Command::new("ip").args(["-n", ns, "-o", "-4", "addr", "show"]))?;
    out.extend(addrs.lines().filter_map(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        Some(format!("addr {} {}", words.get(1)?, words.get(3)?))
    }));
    Ok(out)
}

/// Fails unless aio's namespace and ip's hold the same objects.
fn same(aio: &str, ip: &str) -> Result<(), String> {
    let (a, b) = (contents(aio)?, contents(ip)?);
    if a == b {
        return Ok(());
    }
    let only_a: Vec<&String> = a.difference(&b).take(5).collect();
    let only_b: Vec<&String> = b.difference(&a).take(5).collect();
    Err(format!(
        "aio's namespace {aio} and ip's {ip} differ: only in aio's {only_a:?}, only in ip's {only_b:?}"
    ))
}
