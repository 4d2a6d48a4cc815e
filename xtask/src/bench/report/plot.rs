//! The plot: median wall time against N, log-log, as a hand-written SVG
//! (one polyline per measurement, a legend and a slope-1 guide).

use std::fmt::Write;

use super::super::results::{Metric, Results};

/// Median time against N, log-log, one polyline per measurement.
pub fn svg(r: &Results) -> String {
    let (w, h) = (900.0, 520.0);
    let (left, right, top, bottom) = (70.0, 330.0, 40.0, 50.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let metrics: Vec<Metric> = Metric::ALL.into_iter().filter(|m| r.has(*m)).collect();
    let values: Vec<f64> = metrics
        .iter()
        .flat_map(|m| r.sizes.iter().filter_map(|n| r.secs(*m, *n)))
        .map(|s| s * 1000.0)
        .collect();
    let lo = values
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .max(1e-3);
    let hi = values.iter().copied().fold(0.0, f64::max).max(lo * 10.0);
    let (y0, y1) = (lo.log10().floor(), hi.log10().ceil());
    let (n0, n1) = (
        *r.sizes.first().unwrap_or(&10) as f64,
        *r.sizes.last().unwrap_or(&1000) as f64,
    );
    let (x0, x1) = (n0.log10(), n1.log10().max(n0.log10() + 1.0));
    let x = |n: f64| left + (n.log10() - x0) / (x1 - x0) * pw;
    let y = |ms: f64| top + (1.0 - (ms.log10() - y0) / (y1 - y0)) * ph;

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="22" font-size="15">Median wall time against N (log-log), {}</text>"#,
        escape(&r.machine.date)
    );
    // Decades of time: grid lines and labels.
    let mut e = y0;
    while e <= y1 {
        let v = 10f64.powf(e);
        let yy = y(v);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            left + pw,
            left - 6.0,
            yy + 4.0,
            duration(v)
        );
        e += 1.0;
    }
    for n in &r.sizes {
        let xx = x(*n as f64);
        let _ = writeln!(
            s,
            r##"<line x1="{xx:.1}" y1="{top}" x2="{xx:.1}" y2="{:.1}" stroke="#ddd"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{n}</text>"##,
            top + ph,
            top + ph + 18.0
        );
    }
    let _ = writeln!(
        s,
        r##"<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>"##
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">N (bridge + veth pair + address triples; OVS: ports)</text>"#,
        left + pw / 2.0,
        h - 12.0
    );
    // A slope-1 guide through aio's apply at the largest N: linear cost runs parallel to it.
    if let Some(t) = r.secs(Metric::AioApply, n1 as usize) {
        let t = t * 1000.0;
        let at = |n: f64| t * n / n1;
        let _ = writeln!(
            s,
            r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#bbb" stroke-dasharray="5,4"/>"##,
            x(n0),
            y(at(n0).max(10f64.powf(y0))),
            x(n1),
            y(t)
        );
    }
    for (i, m) in metrics.iter().enumerate() {
        let points: Vec<(f64, f64)> = r
            .sizes
            .iter()
            .filter_map(|n| r.secs(*m, *n).map(|t| (x(*n as f64), y(t * 1000.0))))
            .collect();
        let path: Vec<String> = points
            .iter()
            .map(|(a, b)| format!("{a:.1},{b:.1}"))
            .collect();
        let dash = if matches!(
            m,
            Metric::IpBatch | Metric::OvsEach | Metric::OvsOne | Metric::NmApply | Metric::NmNoop
        ) {
            r#" stroke-dasharray="6,3""#
        } else {
            ""
        };
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{dash}/>"#,
            path.join(" "),
            m.color()
        );
        for (a, b) in &points {
            let _ = writeln!(
                s,
                r#"<circle cx="{a:.1}" cy="{b:.1}" r="3" fill="{}"/>"#,
                m.color()
            );
        }
        let ly = top + 10.0 + i as f64 * 20.0;
        let lx = left + pw + 20.0;
        let _ = writeln!(
            s,
            r#"<line x1="{lx}" y1="{ly}" x2="{:.1}" y2="{ly}" stroke="{}" stroke-width="2"{dash}/><text x="{:.1}" y="{:.1}">{}</text>"#,
            lx + 24.0,
            m.color(),
            lx + 30.0,
            ly + 4.0,
            escape(m.label())
        );
    }
    let ly = top + 10.0 + metrics.len() as f64 * 20.0;
    let lx = left + pw + 20.0;
    let _ = writeln!(
        s,
        r##"<line x1="{lx}" y1="{ly}" x2="{:.1}" y2="{ly}" stroke="#bbb" stroke-dasharray="5,4"/><text x="{:.1}" y="{:.1}">∝ N (guide)</text>"##,
        lx + 24.0,
        lx + 30.0,
        ly + 4.0
    );
    s.push_str("</svg>\n");
    s
}

fn duration(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{} s", ms / 1000.0)
    } else {
        format!("{ms} ms")
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
