//! The `aio watch` part of the report: latency by N (median and p99),
//! idle CPU, the storm, and their targets.

use std::fmt::Write;

use super::super::results::{Metric, Results};
use super::cells::{header, mark, ms, num};

/// Latency targets, seconds: median and p99 of a link or OVS repair up to
/// N = 1000, the median beyond; the slowest NAT and sysctl repair; a
/// repair during the storm.
const MEDIAN: f64 = 0.050;
const P99: f64 = 0.150;
const MEDIAN_AT_10K: f64 = 0.100;
const SLOWEST: [(Metric, f64); 2] = [(Metric::WatchNat, 1.0), (Metric::WatchSysctl, 2.0)];
const STORM_REPAIR: f64 = 0.500;
/// CPU targets: idle, share of a core; the storm, seconds.
const IDLE_SHARE: f64 = 0.001;
const STORM_CPU: f64 = 1.0;

/// The section's tables.
pub fn section(r: &Results) -> String {
    let mut t = String::new();
    if !r.has(Metric::WatchVeth) {
        return t;
    }
    t.push_str("\n### aio watch: from a drift to its repair, ms\n\n");
    t.push_str("From the start of the command that makes the drift (`ip link del vK`, `ovs-vsctl set Port v0 tag=99`, `nft flush table ip aio`, `sysctl -w net.ipv4.ip_forward=0`; starting it is included, as aio often repairs before it has exited) to aio's `repaired` line, printed once the object is made again and verified. One sample per event. aio hears links, OVSDB and nftables as they change; it reads the declared sysctls once a second.\n\n");
    t.push_str(&header(r, "", "events"));
    for metric in [
        Metric::WatchVeth,
        Metric::WatchVlan,
        Metric::WatchNat,
        Metric::WatchSysctl,
    ] {
        for (what, p) in [("median", 50.0), ("p99", 99.0)] {
            let _ = write!(t, "| {}, {what} |", metric.label());
            for n in &r.sizes {
                let _ = write!(t, " {} |", ms(r.percentile(metric, *n, p)));
            }
            let counts: Vec<String> = r
                .sizes
                .iter()
                .map(|n| r.count(metric, *n).to_string())
                .collect();
            let _ = writeln!(t, " {} |", counts.join("/"));
        }
    }
    if let Some(l) = &r.watch_load {
        let mib = |kib: u64| kib as f64 / 1024.0;
        let _ = writeln!(
            t,
            "\n### aio watch idle and under a storm, N = {}\n\n| | |\n|---|---|\n\
             | CPU time over {:.0} s without any event | {:.1} ms ({:.3} % of a core) |\n\
             | storm: link events about links that are not aio's | {} in {:.1} s |\n\
             | CPU time during the storm (and 1 s after) | {:.0} ms |\n\
             | a veth of aio's deleted during the storm: repaired after | {:.1} ms{} |\n\
             | RSS before and after the storm | {:.1} MiB, {:.1} MiB |",
            l.n,
            l.idle_secs,
            l.idle_cpu * 1000.0,
            l.idle_cpu / l.idle_secs * 100.0,
            l.storm_events,
            l.storm_secs,
            l.storm_cpu * 1000.0,
            l.storm_repair * 1000.0,
            if l.repaired_during_storm {
                " (while the storm still ran)"
            } else {
                " (the storm had ended first)"
            },
            mib(l.rss_before_kib),
            mib(l.rss_after_kib)
        );
    }
    t
}

/// The section's rows of the targets table.
pub fn targets(r: &Results) -> String {
    let mut t = String::new();
    for metric in [Metric::WatchVeth, Metric::WatchVlan] {
        for n in r.sizes.iter().filter(|n| r.count(metric, **n) > 0) {
            let (median, p99) = (
                r.percentile(metric, *n, 50.0),
                r.percentile(metric, *n, 99.0),
            );
            let _ = match *n >= 10_000 {
                true => writeln!(
                    t,
                    "| {}, N = {n}: median ≤ {} ms | {} ms | {} |",
                    metric.label(),
                    MEDIAN_AT_10K * 1000.0,
                    ms(median),
                    mark(median.map(|m| m <= MEDIAN_AT_10K))
                ),
                false => writeln!(
                    t,
                    "| {}, N = {n}: median ≤ {} ms, p99 ≤ {} ms | {} ms, {} ms | {} |",
                    metric.label(),
                    MEDIAN * 1000.0,
                    P99 * 1000.0,
                    ms(median),
                    ms(p99),
                    mark(median.zip(p99).map(|(m, p)| m <= MEDIAN && p <= P99))
                ),
            };
        }
    }
    for (metric, most) in SLOWEST {
        for n in r.sizes.iter().filter(|n| r.count(metric, **n) > 0) {
            let slowest = r.percentile(metric, *n, 100.0);
            let _ = writeln!(
                t,
                "| {}, N = {n}: every repair ≤ {most} s | slowest {} ms | {} |",
                metric.label(),
                ms(slowest),
                mark(slowest.map(|x| x <= most))
            );
        }
    }
    if let Some(l) = &r.watch_load {
        let share = l.idle_cpu / l.idle_secs;
        let _ = writeln!(
            t,
            "| aio watch idle < {} % of a core | {} % | {} |",
            IDLE_SHARE * 100.0,
            num(Some(share * 100.0), 3),
            mark(Some(share < IDLE_SHARE))
        );
        let _ = writeln!(
            t,
            "| a storm of {} foreign events < {STORM_CPU} s CPU | {} s | {} |",
            l.storm_events,
            num(Some(l.storm_cpu), 3),
            mark(Some(l.storm_cpu < STORM_CPU))
        );
        let _ = writeln!(
            t,
            "| a repair during the storm ≤ {} ms | {} ms | {} |",
            STORM_REPAIR * 1000.0,
            num(Some(l.storm_repair * 1000.0), 1),
            mark(Some(l.storm_repair <= STORM_REPAIR))
        );
    }
    t
}
