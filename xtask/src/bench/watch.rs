//! `aio watch` as its user feels it: how long from a drift to its repair,
//! what it costs while nothing happens, and under a storm of events about
//! links that are not aio's.
//!
//! For each N, a namespace gets the N triples, a private ovsdb-server
//! bridge `br0` with port `v0` on VLAN 100, a masquerade rule and
//! forwarding on; `aio watch` runs on them (its stdout read line by line,
//! each line timestamped as it arrives). A drift is made by `ip link del
//! vK` (a veth pair), `ovs-vsctl set Port v0 tag=99`, `nft flush table ip
//! aio` or `sysctl net.ipv4.ip_forward=0`; the latency runs from the moment that command is started to
//! aio's `repaired` line, which it prints once the object is made again and
//! verified. (aio often repairs before the command has exited, so its exit
//! is no starting point; the figure includes starting the command.) Idle:
//! CPU time over 60 s with no event at all, from every thread's
//! `/proc/PID/task/*/schedstat` (ns).
//! Storm: 10 000 link events about links of someone else's, with one veth
//! of aio's deleted while they flow: the CPU time they cost, the repair's
//! latency meanwhile, and RSS before and after.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use aio_sandbox::ovs::Ovsdb;

use super::error::BenchError;
use super::inputs;
use super::measure::{Sample, quiet};
use super::results::{Metric, Results, WatchLoad};
use super::scenarios::Bench;
use super::tools::ip_batch;

/// Drifts of each kind per N.
const EVENTS: usize = 20;
/// The shortest round of drifts: aio takes 5 repairs of one object within
/// 10 s for a fight with another writer and damps it, so each object
/// drifts once per round, and rounds are long enough that 5 repairs never
/// fall within 10 s, even with a sysctl's repair up to a second late.
const ROUND: Duration = Duration::from_millis(3600);
/// How long idle is measured.
const IDLE: Duration = Duration::from_secs(60);
/// Foreign link events in the storm: four per link (add, up, down, delete).
const STORM_LINKS: usize = 2500;
/// The sysctl watch keeps, and the source its masquerade rule is for.
const FORWARDING: &str = "net.ipv4.ip_forward";
const NAT_SOURCE: &str = "10.0.0.0/24";
/// The longest wait for one repair before the bench gives up.
const GIVE_UP: Duration = Duration::from_secs(10);

/// `aio watch` running, its stdout's lines with when they came.
struct Watch {
    child: Child,
    /// Where its lines are kept.
    out: std::path::PathBuf,
    lines: Receiver<(Instant, String)>,
}

impl Watch {
    fn start(
        bench: &Bench,
        n: usize,
        topology: &Path,
        ns: &str,
        state: &Path,
    ) -> Result<Watch, BenchError> {
        let mut c = bench.programs.aio("watch", topology, ns, state);
        let what = format!("{c:?}");
        let log = std::fs::File::create(bench.work.join("watch.log"))
            .map_err(BenchError::file(&bench.work.join("watch.log")))?;
        // Every line with its time since start, to read when a repair is missed.
        let out = bench.work.join(format!("watch-{n}.out"));
        let mut kept = std::fs::File::create(&out).map_err(BenchError::file(&out))?;
        let mut child = c
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(BenchError::spawn(&what))?;
        let stdout = child
            .stdout
            .take()
            .ok_or(BenchError::Task("no stdout".into()))?;
        let (tx, lines) = channel();
        let began = Instant::now();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let at = Instant::now();
                let _ = writeln!(kept, "{:.3} {line}", (at - began).as_secs_f64());
                if tx.send((at, line)).is_err() {
                    return;
                }
            }
        });
        Ok(Watch { child, out, lines })
    }

    /// When a line containing `text` came, waiting up to [`GIVE_UP`].
    fn until(&self, text: &str) -> Result<Instant, BenchError> {
        let deadline = Instant::now() + GIVE_UP;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((at, line)) if line.contains(text) => return Ok(at),
                Ok(_) => {}
                Err(_) => {
                    return Err(BenchError::Task(format!(
                        "aio watch printed no line with {text:?} within {GIVE_UP:?} \
                         (all its lines, timed: {})",
                        self.out.display()
                    )));
                }
            }
        }
    }

    /// Lines that came and were not waited for.
    fn drain(&self) {
        while self.lines.try_recv().is_ok() {}
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU time of every thread of `pid` so far, seconds (schedstat's ns).
fn cpu_secs(pid: u32) -> f64 {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten();
    let ns: u64 = tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    ns as f64 / 1e9
}

/// Resident set of `pid` now, KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn latency(secs: f64) -> Sample {
    Sample {
        secs,
        ..Sample::default()
    }
}

impl Bench {
    /// The watch scenarios at N; idle and storm only where `load` says.
    pub fn watch(&self, n: usize, load: bool, results: &mut Results) -> Result<(), BenchError> {
        println!("aio watch, N = {n}");
        let ns = super::namespaces::watch(n);
        let db = Ovsdb::start(&[]);
        let mut text = inputs::topology(n);
        text += &format!(
            "\n[ovs]\ndb = \"{}\"\n\n[ovs.bridges.br0.ports.v0]\ntag = 100\n\n\
             [sysctl]\n\"{FORWARDING}\" = 1\n\n[[nat]]\nsource = \"{NAT_SOURCE}\"\nout = \"{}\"\n",
            db.unix(),
            inputs::UPLINK
        );
        let topology = self.file(&format!("watch-{n}.toml"), &text)?;
        let state = self.work.join(format!("state-watch-{n}"));
        quiet(&mut self.programs.aio("apply", &topology, &ns, &state))?;
        super::namespaces::settle(&ns)?;
        let watch = Watch::start(self, n, &topology, &ns, &state)?;
        watch.until("aio watch:")?;
        std::thread::sleep(Duration::from_secs(2));
        watch.drain();

        for k in 0..EVENTS {
            self.checkpoint()?;
            let round = Instant::now();
            let i = 1 + k % n.saturating_sub(1).max(1);
            let started = Instant::now();
            quiet(Command::new("ip").args(["-n", &ns, "link", "del", &format!("v{i}")]))?;
            let at = watch.until(&format!("repaired + link/v{i} "))?;
            results.add(Metric::WatchVeth, n, latency((at - started).as_secs_f64()));
            std::thread::sleep(Duration::from_millis(100));
            watch.drain();

            let started = Instant::now();
            db.vsctl(&["set", "Port", "v0", "tag=99"]);
            let at = watch.until("repaired ~ ovs-port/br0/v0")?;
            results.add(Metric::WatchVlan, n, latency((at - started).as_secs_f64()));
            std::thread::sleep(Duration::from_millis(100));
            watch.drain();

            let nat = format!("repaired + nat/{}/{NAT_SOURCE}", inputs::UPLINK);
            let off = format!("{FORWARDING}=0");
            let drifts: [(Metric, &[&str], String); 2] = [
                (
                    Metric::WatchNat,
                    &["nft", "flush", "table", "ip", "aio"],
                    nat,
                ),
                (
                    Metric::WatchSysctl,
                    &["sysctl", "-q", "-w", &off],
                    format!("repaired ~ sysctl/{FORWARDING}"),
                ),
            ];
            for (metric, command, repaired) in drifts {
                let started = Instant::now();
                quiet(
                    Command::new("ip")
                        .args(["netns", "exec", &ns])
                        .args(command),
                )?;
                let at = watch.until(&repaired)?;
                results.add(metric, n, latency((at - started).as_secs_f64()));
                std::thread::sleep(Duration::from_millis(100));
                watch.drain();
            }
            // The same object drifting again at once would be a fight to aio.
            std::thread::sleep(ROUND.saturating_sub(round.elapsed()));
        }
        if load {
            results.watch_load = Some(self.load(n, &ns, &watch)?);
        }
        Ok(())
    }

    /// Idle CPU, then the storm.
    fn load(&self, n: usize, ns: &str, watch: &Watch) -> Result<WatchLoad, BenchError> {
        let pid = watch.pid();
        println!("aio watch idle for {} s, N = {n}", IDLE.as_secs());
        std::thread::sleep(Duration::from_secs(2));
        let before = cpu_secs(pid);
        std::thread::sleep(IDLE);
        let idle_cpu = cpu_secs(pid) - before;

        println!(
            "aio watch under a storm of {} foreign events",
            STORM_LINKS * 4
        );
        let mut batch = String::new();
        for i in 0..STORM_LINKS {
            batch += &format!(
                "link add x{i} type bridge\nlink set x{i} up\nlink set x{i} down\nlink del x{i}\n"
            );
        }
        let storm = self.file("storm.batch", &batch)?;
        let rss_before = rss_kib(pid);
        let cpu_before = cpu_secs(pid);
        let started = Instant::now();
        let mut ip = ip_batch(ns, &storm)
            .stdout(Stdio::null())
            .spawn()
            .map_err(BenchError::spawn("ip -batch storm"))?;
        std::thread::sleep(Duration::from_millis(200));
        let deleting = Instant::now();
        quiet(Command::new("ip").args(["-n", ns, "link", "del", "v1"]))?;
        let at = watch.until("repaired + link/v1 ")?;
        let repair = (at - deleting).as_secs_f64();
        let still_storming = ip.try_wait().ok().flatten().is_none();
        let _ = ip.wait();
        let storm_secs = started.elapsed().as_secs_f64();
        std::thread::sleep(Duration::from_secs(1));
        Ok(WatchLoad {
            n,
            idle_secs: IDLE.as_secs_f64(),
            idle_cpu,
            storm_events: STORM_LINKS * 4,
            storm_secs,
            storm_cpu: cpu_secs(pid) - cpu_before,
            storm_repair: repair,
            repaired_during_storm: still_storming,
            rss_before_kib: rss_before,
            rss_after_kib: rss_kib(pid),
        })
    }
}
