//! How far each figure is from the physical limit, and how much it moves
//! from run to run: the kernel's own CPU time for the requests, the ratio
//! of a tool's wall time to the kernel's time for the same work, and the
//! spread of the runs.

use std::fmt::Write;

use super::super::results::{Metric, Results};
use super::cells::{header, ms, num};

/// Wall time of one measurement against the kernel's time for the same work.
struct Distance {
    label: &'static str,
    wall: Metric,
    kernel: Metric,
}

const DISTANCES: [Distance; 4] = [
    Distance {
        label: "ip -batch / the kernel's time for its creations (the floor)",
        wall: Metric::IpBatch,
        kernel: Metric::IpBatch,
    },
    Distance {
        label: "aio apply from empty / the kernel's time for ip's same creations",
        wall: Metric::AioApply,
        kernel: Metric::IpBatch,
    },
    Distance {
        label: "aio no-op plan / the kernel's time for ip's dumps of the namespace",
        wall: Metric::AioNoopPlan,
        kernel: Metric::IpDump,
    },
    Distance {
        label: "aio no-op plan / the kernel's time for aio's own requests",
        wall: Metric::AioNoopPlan,
        kernel: Metric::AioNoopPlan,
    },
];

/// The kernel-time table, the distances and the spread, for `metrics`.
pub fn section(r: &Results, metrics: &[Metric]) -> String {
    let mut t = String::from(
        "\n### Kernel CPU time, mean, ms\n\nWhat the kernel spent carrying out the tool's requests (`ru_stime`): the physical limit of any tool making the same requests. Work the kernel defers to its own threads (freeing, RCU) is not in it.\n\n",
    );
    t.push_str(&header(r, "", ""));
    for metric in metrics {
        let _ = write!(t, "| {} |", metric.label());
        for n in &r.sizes {
            let _ = write!(t, " {} |", ms(r.sys_secs(*metric, *n)));
        }
        t.push('\n');
    }

    t.push_str("\n### Distance from the kernel's own time\n\nA tool's median wall time over the mean kernel time of the same requests: 1.0 would be a tool that costs nothing beyond the kernel's work.\n\n");
    t.push_str(&header(r, "", ""));
    for d in DISTANCES
        .iter()
        .filter(|d| r.has(d.wall) && r.has(d.kernel))
    {
        let _ = write!(t, "| {} |", d.label);
        for n in &r.sizes {
            let x = r.over_kernel(d.wall, d.kernel, *n);
            let _ = write!(t, " {} |", num(x, 2));
        }
        t.push('\n');
    }

    t.push_str(
        "\n### Run-to-run spread, %\n\n(slowest − fastest) / median of the runs' wall times.\n\n",
    );
    t.push_str(&header(r, "", ""));
    for metric in metrics {
        let _ = write!(t, "| {} |", metric.label());
        for n in &r.sizes {
            let _ = write!(t, " {} |", num(r.spread(*metric, *n).map(|x| x * 100.0), 0));
        }
        t.push('\n');
    }
    t
}
