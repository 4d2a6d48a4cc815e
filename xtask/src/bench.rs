//! `cargo xtask bench`: what aio costs for N bridge + veth + address triples
//! (N = 10, 100, 300, 1000, 10 000), against `ip -batch` of the same creations,
//! optionally `nmstatectl apply --kernel`, and for N OVS ports against
//! `ovs-vsctl`; medians, ratios and peak RSS go to docs/benchmarks.md
//! (between its markers) and docs/benchmarks.svg.
//!
//! Every namespace a size needs is created before it (with an uplink and a
//! default route, IPv6 off so no autoconfiguration runs in the background),
//! the kernel settles (see [`namespaces::settle`]: freeing the links of
//! the previous size's namespaces holds its RTNL lock for minutes at ten
//! thousand), the tools are measured alternately, and the namespaces are
//! deleted after it, also after a failure or Ctrl-C. The machine's own
//! network namespace is never touched. Not a test: no measurement runs
//! under `cargo test`.
//!
//! This module puts the steps in order; each of its modules does one job:
//! [`options`] the command line, [`peers`] finding the other tools,
//! [`machine`] what the numbers were measured on, [`namespaces`] the
//! namespaces' lifecycle, [`inputs`] what each tool is given, [`tools`] how
//! each is invoked and the rotation that takes them in turns,
//! [`scenarios`] what is timed, [`watch`] `aio watch`'s latency, idle and storm, [`measure`] one timed run, [`equality`]
//! that aio made what ip made, [`results`] the numbers, [`report`] the
//! Markdown and the plot, [`error`] what can go wrong.

mod equality;
mod error;
mod inputs;
mod machine;
mod measure;
mod namespaces;
mod options;
mod peers;
mod report;
mod results;
mod scenarios;
mod tools;
mod watch;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use error::BenchError;
use namespaces::Namespaces;
use options::Options;
use results::Results;
use scenarios::Bench;
use tools::Programs;

use crate::shell::{on_path, require_root, root, sh};

/// `cargo xtask bench ARGS`; the error as text for main.
pub fn run(args: &[String]) -> Result<(), String> {
    Options::parse(args)
        .and_then(|o| bench(&o))
        .map_err(|e| e.to_string())
}

fn bench(o: &Options) -> Result<(), BenchError> {
    require_root("cargo xtask bench").map_err(BenchError::Task)?;
    if !on_path("ip") {
        return Err(BenchError::Missing("`ip` (iproute2)"));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))?;
    sh(
        "cargo",
        &["build", "--release", "--quiet", "--package", "aio"],
    )
    .map_err(BenchError::Task)?;
    let mut results = Results {
        sizes: o.sizes.clone(),
        runs: o.runs,
        ..Results::default()
    };
    let nmstatectl = if o.nmstate {
        peers::nmstatectl(&mut results.notes)
    } else {
        results.notes.push(
            "nmstatectl was not measured (`cargo xtask bench --with-nmstate` adds it)".into(),
        );
        None
    };
    let ovs = peers::ovs(&mut results.notes);
    let work = root().join("target/bench");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(BenchError::file(&work))?;
    results.machine = machine::machine(nmstatectl.as_deref(), ovs);

    let bench = Bench {
        programs: Programs {
            aio: crate::shell::built_aio("release"),
            nmstatectl,
        },
        work,
        stop,
        runs: o.runs,
    };
    for n in &o.sizes {
        measure_size(&bench, *n, &o.sizes, ovs, &mut results)?;
    }

    let text = report::markdown(&results);
    println!("\n{text}");
    if o.write {
        report::write(&root().join("docs"), &results)?;
        println!("written: docs/benchmarks.md (between its markers), docs/benchmarks.svg");
    }
    Ok(())
}

/// Everything measured at N, in namespaces made for it and deleted after it.
fn measure_size(
    bench: &Bench,
    n: usize,
    sizes: &[usize],
    ovs: bool,
    results: &mut Results,
) -> Result<(), BenchError> {
    let names = bench.namespaces(&[n], ovs);
    let first = names.first().cloned().unwrap_or_default();
    let namespaces = Namespaces::create(names, &bench.work)?;
    let waited = namespaces::settle(&first)?;
    println!(
        "the kernel settled {:.1} s after {} namespaces were made",
        waited.as_secs_f64(),
        namespaces.len()
    );
    bench.links(n, results)?;
    if ovs {
        bench.ovs(n, results)?;
        // Idle and the storm once, at N = 100 (or the largest N below it).
        let load = n
            == sizes
                .iter()
                .copied()
                .filter(|s| *s <= 100)
                .max()
                .unwrap_or(n);
        // A watch that gives up at one N is a finding, not the end of the bench.
        match bench.watch(n, load, results) {
            Err(BenchError::Interrupted) => return Err(BenchError::Interrupted),
            Err(e) => results.notes.push(format!("N = {n}: aio watch: {e}")),
            Ok(()) => {}
        }
    }
    println!(
        "deleting {} namespaces (the kernel goes on freeing their links for a while)",
        namespaces.len()
    );
    Ok(())
}
