//! What a bench run measured: samples by measurement and N, the machine, notes.

use std::collections::BTreeMap;

use super::measure::{Sample, median};

/// One measured thing; each is a series of the plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Metric {
    AioApply,
    IpBatch,
    AioNoopPlan,
    AioNoopApply,
    AioDriftPlan,
    AioRepair,
    NmApply,
    NmNoop,
    OvsAio,
    OvsEach,
    OvsOne,
    /// `ip -d link show` and `ip addr show` of the converged namespace: what
    /// any tool must read to know the state.
    IpDump,
    /// A sample per event: from the drift to `aio watch`'s repaired line.
    WatchVeth,
    WatchVlan,
    WatchNat,
    WatchSysctl,
}

impl Metric {
    pub const ALL: [Metric; 16] = [
        Metric::AioApply,
        Metric::IpBatch,
        Metric::AioNoopPlan,
        Metric::AioNoopApply,
        Metric::AioDriftPlan,
        Metric::AioRepair,
        Metric::NmApply,
        Metric::NmNoop,
        Metric::OvsAio,
        Metric::OvsEach,
        Metric::OvsOne,
        Metric::IpDump,
        Metric::WatchVeth,
        Metric::WatchVlan,
        Metric::WatchNat,
        Metric::WatchSysctl,
    ];

    /// Whether its samples are `aio watch` latencies, one per event, not runs of a process.
    pub fn is_watch(self) -> bool {
        matches!(
            self,
            Metric::WatchVeth | Metric::WatchVlan | Metric::WatchNat | Metric::WatchSysctl
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            Metric::AioApply => "aio apply, from empty",
            Metric::IpBatch => "ip -batch, the same creations",
            Metric::AioNoopPlan => "aio plan, converged (no-op)",
            Metric::AioNoopApply => "aio apply, converged (no-op)",
            Metric::AioDriftPlan => "aio plan after 1% drift",
            Metric::AioRepair => "aio apply after 1% drift (repair)",
            Metric::NmApply => "nmstatectl apply --kernel, from empty",
            Metric::NmNoop => "nmstatectl apply --kernel, converged",
            Metric::OvsAio => "OVS: aio apply (one transaction)",
            Metric::OvsEach => "OVS: ovs-vsctl per port (N+1 calls)",
            Metric::OvsOne => "OVS: one ovs-vsctl call with N clauses",
            Metric::IpDump => "ip -d link show + ip addr show, converged",
            Metric::WatchVeth => "aio watch: a deleted veth pair repaired",
            Metric::WatchVlan => "aio watch: a changed VLAN tag repaired",
            Metric::WatchNat => "aio watch: aio's NAT table flushed, the rule back",
            Metric::WatchSysctl => "aio watch: ip_forward set to 0, back to 1",
        }
    }

    pub fn color(self) -> &'static str {
        match self {
            Metric::AioApply => "#1f77b4",
            Metric::IpBatch => "#7f7f7f",
            Metric::AioNoopPlan => "#2ca02c",
            Metric::AioNoopApply => "#98df8a",
            Metric::AioDriftPlan => "#17becf",
            Metric::AioRepair => "#9edae5",
            Metric::NmApply => "#8c564b",
            Metric::NmNoop => "#c49c94",
            Metric::OvsAio => "#d62728",
            Metric::OvsEach => "#ff7f0e",
            Metric::OvsOne => "#9467bd",
            Metric::IpDump => "#bcbd22",
            Metric::WatchVeth => "#e377c2",
            Metric::WatchVlan => "#f7b6d2",
            Metric::WatchNat => "#8c6d31",
            Metric::WatchSysctl => "#e7ba52",
        }
    }
}

/// Where the numbers come from.
#[derive(Debug, Clone, Default)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub kernel: String,
    pub memory: String,
    pub date: String,
    pub aio: String,
    pub tools: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Results {
    pub sizes: Vec<usize>,
    pub runs: usize,
    pub samples: BTreeMap<(Metric, usize), Vec<Sample>>,
    /// OVSDB transactions aio's apply committed, by N (from the database's log).
    pub ovs_transactions: BTreeMap<usize, usize>,
    pub machine: Machine,
    /// Anything the reader should know: what was skipped and why.
    pub notes: Vec<String>,
    /// `aio watch` idle and under a storm, at one N.
    pub watch_load: Option<WatchLoad>,
}

/// What `aio watch` cost idle and under a storm of foreign events.
#[derive(Debug, Clone)]
pub struct WatchLoad {
    pub n: usize,
    pub idle_secs: f64,
    /// CPU time (every thread) over `idle_secs` without any event, seconds.
    pub idle_cpu: f64,
    pub storm_events: usize,
    pub storm_secs: f64,
    /// CPU time while the storm ran and 1 s after, seconds.
    pub storm_cpu: f64,
    /// From a veth of aio's deleted during the storm to its repaired line, seconds.
    pub storm_repair: f64,
    /// Whether the storm was still running when that repair came.
    pub repaired_during_storm: bool,
    pub rss_before_kib: u64,
    pub rss_after_kib: u64,
}

impl Results {
    pub fn add(&mut self, metric: Metric, n: usize, sample: Sample) {
        self.samples.entry((metric, n)).or_default().push(sample);
    }

    pub fn has(&self, metric: Metric) -> bool {
        self.samples.keys().any(|(m, _)| *m == metric)
    }

    /// One figure of each sample of `metric` at `n`: `None` when none was taken.
    fn each(&self, metric: Metric, n: usize, figure: impl Fn(&Sample) -> f64) -> Option<Vec<f64>> {
        Some(self.samples.get(&(metric, n))?.iter().map(figure).collect())
    }

    /// Median wall time, seconds.
    pub fn secs(&self, metric: Metric, n: usize) -> Option<f64> {
        Some(median(&mut self.each(metric, n, wall_secs)?))
    }

    /// Mean user-space CPU time, seconds: the kernel charges it by ticks,
    /// so one run's figure is a multiple of a tick, and only the mean of
    /// several is not biased.
    pub fn user_secs(&self, metric: Metric, n: usize) -> Option<f64> {
        let v = self.each(metric, n, |s| s.user_secs)?;
        Some(v.iter().sum::<f64>() / v.len() as f64)
    }

    /// Mean CPU time in the kernel, seconds (charged by ticks, as user time).
    pub fn sys_secs(&self, metric: Metric, n: usize) -> Option<f64> {
        let v = self.each(metric, n, |s| s.sys_secs)?;
        Some(v.iter().sum::<f64>() / v.len() as f64)
    }

    /// The median wall time of `wall` over the mean kernel time of
    /// `kernel`: how far a tool is from the kernel's own time for the work.
    pub fn over_kernel(&self, wall: Metric, kernel: Metric, n: usize) -> Option<f64> {
        let k = self.sys_secs(kernel, n)?;
        (k > 0.0).then_some(self.secs(wall, n)? / k)
    }

    /// How much the wall times of the runs differ: (slowest − fastest) /
    /// median; `None` with fewer than two runs.
    pub fn spread(&self, metric: Metric, n: usize) -> Option<f64> {
        let v = self.each(metric, n, wall_secs)?;
        let (lo, hi) = v.iter().fold((f64::INFINITY, 0.0_f64), |(lo, hi), x| {
            (lo.min(*x), hi.max(*x))
        });
        (v.len() >= 2).then(|| (hi - lo) / self.secs(metric, n).unwrap_or(f64::NAN))
    }

    /// Median peak RSS, MiB.
    pub fn rss_mib(&self, metric: Metric, n: usize) -> Option<f64> {
        Some(median(&mut self.each(metric, n, peak_mib)?))
    }

    /// The `p`-th percentile (0..=100) of the wall times, nearest rank, seconds.
    pub fn percentile(&self, metric: Metric, n: usize, p: f64) -> Option<f64> {
        let mut v = self.each(metric, n, wall_secs)?;
        v.sort_by(f64::total_cmp);
        let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
        v.get(rank.clamp(1, v.len()) - 1).copied()
    }

    /// The largest peak RSS of any run, MiB.
    pub fn rss_max_mib(&self, metric: Metric, n: usize) -> Option<f64> {
        self.each(metric, n, peak_mib)?.into_iter().reduce(f64::max)
    }

    pub fn count(&self, metric: Metric, n: usize) -> usize {
        self.samples.get(&(metric, n)).map_or(0, Vec::len)
    }

    /// The median of the runs' ratios `a / b`, run i of one against run i
    /// of the other: they ran side by side, so a machine that slows down
    /// over the bench (it does, as the namespaces fill) cancels out.
    pub fn ratio(&self, a: Metric, b: Metric, n: usize) -> Option<f64> {
        let (a, b) = (self.samples.get(&(a, n))?, self.samples.get(&(b, n))?);
        let mut ratios: Vec<f64> = a.iter().zip(b).map(|(x, y)| x.secs / y.secs).collect();
        (!ratios.is_empty()).then(|| median(&mut ratios))
    }

    /// How time grows with N from 100 up: the exponent k of t ∝ N^k (1 is
    /// linear, 2 quadratic), the least-squares slope of log t against log N.
    pub fn growth(&self, metric: Metric) -> Option<f64> {
        self.growth_of(|n| self.secs(metric, n))
    }

    /// [`Results::growth`] of the user-space CPU time.
    pub fn user_growth(&self, metric: Metric) -> Option<f64> {
        self.growth_of(|n| self.user_secs(metric, n))
    }

    fn growth_of(&self, at: impl Fn(usize) -> Option<f64>) -> Option<f64> {
        let points: Vec<(f64, f64)> = self
            .sizes
            .iter()
            .filter(|n| **n >= 100)
            .filter_map(|n| {
                at(*n)
                    .filter(|t| *t > 0.0)
                    .map(|t| ((*n as f64).ln(), t.ln()))
            })
            .collect();
        if points.len() < 2 {
            return None;
        }
        let count = points.len() as f64;
        let (mx, my) = (
            points.iter().map(|p| p.0).sum::<f64>() / count,
            points.iter().map(|p| p.1).sum::<f64>() / count,
        );
        let sxy: f64 = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
        let sxx: f64 = points.iter().map(|(x, _)| (x - mx) * (x - mx)).sum();
        Some(sxy / sxx)
    }
}

fn wall_secs(s: &Sample) -> f64 {
    s.secs
}

fn peak_mib(s: &Sample) -> f64 {
    s.rss_kib as f64 / 1024.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(secs: f64, rss_kib: u64, user_secs: f64) -> Sample {
        Sample {
            secs,
            rss_kib,
            user_secs,
            sys_secs: user_secs * 2.0,
        }
    }

    #[test]
    fn each_figure_comes_from_the_samples_of_its_metric_and_n() {
        let mut r = Results::default();
        for (secs, rss, user) in [(0.3, 3072, 0.02), (0.1, 1024, 0.01), (0.2, 2048, 0.03)] {
            r.add(Metric::AioApply, 10, sample(secs, rss, user));
        }
        r.add(Metric::AioApply, 100, sample(9.0, 9216, 9.0));
        assert_eq!(r.secs(Metric::AioApply, 10), Some(0.2));
        assert_eq!(r.rss_mib(Metric::AioApply, 10), Some(2.0));
        assert_eq!(r.rss_max_mib(Metric::AioApply, 10), Some(3.0));
        assert_eq!(r.percentile(Metric::AioApply, 10, 100.0), Some(0.3));
        assert_eq!(r.percentile(Metric::AioApply, 10, 0.0), Some(0.1));
        let user = r.user_secs(Metric::AioApply, 10).unwrap();
        assert!((user - 0.02).abs() < 1e-12, "{user}");
        let sys = r.sys_secs(Metric::AioApply, 10).unwrap();
        assert!((sys - 0.04).abs() < 1e-12, "{sys}");
        let spread = r.spread(Metric::AioApply, 10).unwrap();
        assert!((spread - 1.0).abs() < 1e-12, "(0.3 - 0.1) / 0.2: {spread}");
        assert_eq!(
            r.spread(Metric::AioApply, 100),
            None,
            "one run has no spread"
        );
        assert_eq!(r.secs(Metric::IpBatch, 10), None);
        assert_eq!(r.count(Metric::AioApply, 100), 1);
    }
}
