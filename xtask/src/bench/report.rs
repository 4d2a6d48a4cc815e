//! The report: the results as Markdown tables and targets, written between
//! markers in docs/benchmarks.md (the text around them kept), and the plot
//! beside it in docs/benchmarks.svg.

mod cells;
mod kernel;
mod plot;
mod watch;

use std::fmt::Write;
use std::path::Path;

use cells::{header, mark, ms, num};

use super::error::BenchError;
use super::results::{Metric, Results};

const BEGIN: &str =
    "<!-- bench:begin: written by `cargo xtask bench`; edits inside are overwritten -->";
const END: &str = "<!-- bench:end -->";

/// Targets: aio apply / ip -batch by N, no-op plan / ip -batch, peak RSS
/// (MiB) by N, per-port ovs-vsctl / aio, growth exponent of a plan, and of
/// an apply beyond ip -batch's.
const APPLY_RATIO: [(usize, f64); 2] = [(1000, 0.8), (10_000, 1.0)];
const NOOP_RATIO: f64 = 0.25;
/// A converged plan against what `ip` needs just to read the same state, at N = 1000.
const DUMP_RATIO: f64 = 0.5;
/// A converged plan's wall time at N = 10 000, seconds.
const PLAN_AT_10K: f64 = 1.0;
const RSS_MIB: [(usize, f64); 2] = [(1000, 25.0), (10_000, 96.0)];
const OVS_SPEEDUP: f64 = 10.0;
const LINEAR: f64 = 1.2;
const SLACK: f64 = 0.2;

/// Writes the tables into `docs`/benchmarks.md and the plot to `docs`/benchmarks.svg.
pub fn write(docs: &Path, r: &Results) -> Result<(), BenchError> {
    let md = docs.join("benchmarks.md");
    let old = std::fs::read_to_string(&md).unwrap_or_else(|_| {
        format!("# Benchmarks\n\n{BEGIN}\n{END}\n\n![cost against N](benchmarks.svg)\n")
    });
    let tables = format!("{BEGIN}\n{}{END}", markdown(r));
    let text = match (old.find(BEGIN), old.find(END)) {
        (Some(b), Some(e)) if b < e => format!("{}{tables}{}", &old[..b], &old[e + END.len()..]),
        _ => format!("{old}\n{tables}\n"),
    };
    std::fs::write(&md, text).map_err(BenchError::file(&md))?;
    let svg = docs.join("benchmarks.svg");
    std::fs::write(&svg, plot::svg(r)).map_err(BenchError::file(&svg))
}

pub fn markdown(r: &Results) -> String {
    let m = &r.machine;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Measured {} on {} ({} cores), Linux {}, {} RAM; aio {} (release build). {}.\n",
        m.date,
        m.cpu,
        m.cores,
        m.kernel,
        m.memory,
        m.aio,
        m.tools.join("; ")
    );
    let _ = writeln!(
        t,
        "Each cell is the median of {} runs (fewer where the table says) of the whole process from spawn to exit. Growth: k of time ∝ N^k, fitted over N ≥ 100 (1 is linear, 2 quadratic).\n",
        r.runs
    );
    for note in &r.notes {
        let _ = writeln!(t, "- {note}");
    }
    if !r.notes.is_empty() {
        t.push('\n');
    }
    let metrics: Vec<Metric> = Metric::ALL
        .into_iter()
        .filter(|m| r.has(*m) && !m.is_watch())
        .collect();

    t.push_str("### Wall time, median, ms\n\n");
    t.push_str(&header(r, "", "runs; growth from N = 100"));
    for metric in &metrics {
        let _ = write!(t, "| {} |", metric.label());
        for n in &r.sizes {
            let _ = write!(t, " {} |", ms(r.secs(*metric, *n)));
        }
        let runs: Vec<String> = r
            .sizes
            .iter()
            .map(|n| r.count(*metric, *n).to_string())
            .collect();
        let _ = writeln!(t, " {}; N^{} |", runs.join("/"), num(r.growth(*metric), 2));
    }

    t.push_str(
        "\n### User-space CPU time, mean, ms\n\nThe tool's own work; the kernel's (most of a creation) is the same for every tool. A mean: the kernel charges it by scheduler ticks, so values of a few ms, and their growth, are rough.\n\n",
    );
    t.push_str(&header(r, "", "growth from N = 100"));
    for metric in &metrics {
        let _ = write!(t, "| {} |", metric.label());
        for n in &r.sizes {
            let _ = write!(t, " {} |", ms(r.user_secs(*metric, *n)));
        }
        let _ = writeln!(t, " N^{} |", num(r.user_growth(*metric), 2));
    }

    t.push_str(&kernel::section(r, &metrics));

    t.push_str("\n### Ratios\n\nThe median of the runs' ratios, each run of one tool against the run of the other that went alongside it.\n\n");
    t.push_str(&header(r, "", ""));
    let ratios = [
        (
            "aio apply from empty / ip -batch",
            Metric::AioApply,
            Metric::IpBatch,
        ),
        (
            "aio no-op plan / ip -batch creation",
            Metric::AioNoopPlan,
            Metric::IpBatch,
        ),
        (
            "aio no-op apply / ip -batch creation",
            Metric::AioNoopApply,
            Metric::IpBatch,
        ),
        (
            "aio plan after drift / ip -batch creation",
            Metric::AioDriftPlan,
            Metric::IpBatch,
        ),
        (
            "aio no-op plan / ip's dumps of the same namespace",
            Metric::AioNoopPlan,
            Metric::IpDump,
        ),
        (
            "nmstatectl from empty / aio apply from empty",
            Metric::NmApply,
            Metric::AioApply,
        ),
        (
            "nmstatectl converged / aio no-op apply",
            Metric::NmNoop,
            Metric::AioNoopApply,
        ),
        (
            "OVS: per-port ovs-vsctl / aio",
            Metric::OvsEach,
            Metric::OvsAio,
        ),
        (
            "OVS: one ovs-vsctl call / aio",
            Metric::OvsOne,
            Metric::OvsAio,
        ),
    ];
    for (label, a, b) in ratios.iter().filter(|(_, a, b)| r.has(*a) && r.has(*b)) {
        let _ = write!(t, "| {label} |");
        for n in &r.sizes {
            let _ = write!(t, " {} |", num(r.ratio(*a, *b, *n), 2));
        }
        t.push('\n');
    }

    t.push_str("\n### Peak RSS of the process, median, MiB\n\n");
    t.push_str(&header(r, "", ""));
    for metric in &metrics {
        let _ = write!(t, "| {} |", metric.label());
        for n in &r.sizes {
            let _ = write!(t, " {} |", num(r.rss_mib(*metric, *n), 1));
        }
        t.push('\n');
    }
    t.push_str("\n(For the per-port ovs-vsctl row: the largest of its N+1 processes.)\n");

    t.push_str(&watch::section(r));
    t.push_str("\n### Targets\n\n");
    t.push_str(&targets(r));
    t.push_str(&watch::targets(r));
    t
}

/// The least any tool can take, as a ratio to ip -batch's wall time: the
/// kernel's time for ip's creations (a tool makes at least those requests,
/// and the kernel takes them one at a time under its RTNL lock).
fn kernel_floor(r: &Results, n: usize) -> Option<f64> {
    let ip = r.over_kernel(Metric::IpBatch, Metric::IpBatch, n)?;
    (ip > 0.0).then(|| 1.0 / ip)
}

fn targets(r: &Results) -> String {
    let mut t = String::from("| target | measured | |\n|---|---|---|\n");
    let big = r.sizes.last().copied().unwrap_or(0);
    for (n, most) in APPLY_RATIO.iter().filter(|(n, _)| r.sizes.contains(n)) {
        let ratio = r.ratio(Metric::AioApply, Metric::IpBatch, *n);
        let met = ratio.map(|x| x <= *most);
        let why = match kernel_floor(r, *n) {
            Some(floor) if met == Some(false) && floor > *most => {
                format!(": below the kernel's own time for these creations, {floor:.2}× ip -batch")
            }
            _ => String::new(),
        };
        let _ = writeln!(
            t,
            "| aio apply from empty ≤ {most}× ip -batch, N = {n} | {}× | {}{why} |",
            num(ratio, 2),
            mark(met)
        );
    }
    if r.sizes.contains(&1000) {
        let dumps = r.ratio(Metric::AioNoopPlan, Metric::IpDump, 1000);
        let _ = writeln!(
            t,
            "| no-op plan ≤ {DUMP_RATIO}× ip's own dumps of the namespace, N = 1000 | {}× | {} |",
            num(dumps, 2),
            mark(dumps.map(|x| x <= DUMP_RATIO))
        );
    }
    if r.sizes.contains(&10_000) {
        let plan = r.secs(Metric::AioNoopPlan, 10_000);
        let _ = writeln!(
            t,
            "| no-op plan under {PLAN_AT_10K} s, N = 10000 | {} ms | {} |",
            ms(plan),
            mark(plan.map(|x| x < PLAN_AT_10K))
        );
    }
    let noop = r.ratio(Metric::AioNoopPlan, Metric::IpBatch, big);
    let _ = writeln!(
        t,
        "| no-op plan ≤ {NOOP_RATIO}× ip -batch creation, N = {big} | {}× | {} |",
        num(noop, 3),
        mark(noop.map(|x| x <= NOOP_RATIO))
    );
    // Linear: a plan is aio's own work and one dump of each kind, so its
    // wall time must grow as N. An apply from empty is mostly the kernel's
    // creations, which may grow faster (they do as the namespaces fill, for
    // ip -batch too): aio must add nothing faster than ip's own growth.
    let ip = r.growth(Metric::IpBatch);
    for metric in [Metric::AioNoopPlan, Metric::AioDriftPlan] {
        let k = r.growth(metric);
        let _ = writeln!(
            t,
            "| linear in N: {}, wall time ∝ N^k, k ≤ {LINEAR} (quadratic: 2) | k = {} | {} |",
            metric.label(),
            num(k, 2),
            mark(k.map(|k| k <= LINEAR))
        );
    }
    let apply = r.growth(Metric::AioApply);
    let _ = writeln!(
        t,
        "| linear in N: aio apply from empty grows no faster than ip -batch, k(aio) − k(ip) ≤ {SLACK} | k = {} against {} | {} |",
        num(apply, 2),
        num(ip, 2),
        mark(apply.zip(ip).map(|(a, i)| a - i <= SLACK))
    );
    for (n, count) in &r.ovs_transactions {
        let _ = writeln!(
            t,
            "| OVS: all changes in one transaction, N = {n} | {count} committed | {} |",
            mark(Some(*count == 1))
        );
    }
    if r.sizes.contains(&300) {
        let x = r.ratio(Metric::OvsEach, Metric::OvsAio, 300);
        let _ = writeln!(
            t,
            "| OVS: ≥ {OVS_SPEEDUP}× faster than per-port ovs-vsctl, N = 300 | {}× | {} |",
            num(x, 1),
            mark(x.map(|x| x >= OVS_SPEEDUP))
        );
    }
    let links = [
        Metric::AioApply,
        Metric::AioNoopPlan,
        Metric::AioNoopApply,
        Metric::AioDriftPlan,
        Metric::AioRepair,
    ];
    for (n, most) in RSS_MIB {
        for (what, metrics) in [
            ("triples", &links[..]),
            ("OVS ports", &[Metric::OvsAio][..]),
        ] {
            let worst = metrics
                .iter()
                .filter_map(|m| r.rss_max_mib(*m, n))
                .reduce(f64::max);
            if worst.is_some() {
                let _ = writeln!(
                    t,
                    "| aio's peak RSS ≤ {most} MiB, N = {n} {what} (largest of every run) | {} MiB | {} |",
                    num(worst, 1),
                    mark(worst.map(|x| x <= most))
                );
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::super::measure::Sample;
    use super::*;

    fn run(secs: f64, sys_secs: f64) -> Sample {
        Sample {
            secs,
            rss_kib: 1024,
            user_secs: 0.0,
            sys_secs,
        }
    }

    fn apply_row(aio: f64, ip: f64, ip_kernel: f64) -> String {
        let mut r = Results {
            sizes: vec![1000],
            ..Results::default()
        };
        r.add(Metric::AioApply, 1000, run(aio, 0.0));
        r.add(Metric::IpBatch, 1000, run(ip, ip_kernel));
        let targets = targets(&r);
        targets
            .lines()
            .find(|l| l.contains("aio apply from empty"))
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn a_missed_apply_target_below_the_kernels_own_time_says_so() {
        let row = apply_row(1.0, 1.0, 0.86);
        assert!(
            row.contains("**missed**: below the kernel's own time"),
            "{row}"
        );
        assert!(row.contains("0.86× ip -batch"), "{row}");
        // Within reach of the kernel's time: missed, with no excuse.
        let row = apply_row(1.0, 1.0, 0.5);
        assert!(row.ends_with("| **missed** |"), "{row}");
        assert!(apply_row(0.7, 1.0, 0.5).ends_with("| met |"));
    }
}
