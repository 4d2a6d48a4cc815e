//! `cargo xtask ci`: install what the tests need, then format check, clippy, every test.
//! `cargo xtask setup`: only the install part of `ci`.
//! `cargo xtask test`: only the tests of `ci`, their binaries side by side.
//! `cargo xtask cycles`: no two files of a crate import each other in a loop.
//! `cargo xtask demo`: the reference topology planned and applied in a sandbox.
//! `cargo xtask schema`: docs/topology.schema.json; `cargo xtask man`: man pages in target/man.
//! `cargo xtask bench`: aio's cost against ip -batch, ovs-vsctl (and nmstatectl) into docs/benchmarks.md.
//! `cargo xtask fuzz`: each fuzz target for a bounded time (nightly).
//! `cargo xtask vm`: aio in real Debian VMs: the package, real reboots, drift, a seed-built host adopted, multinode.
// A test and developer tool: a failure here is a failed test or task, said loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bench;
mod ci;
mod cycles;
mod demo;
mod dist;
mod docs;
mod fuzz;
mod lanes;
mod man;
mod shell;
mod vm;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().cloned().unwrap_or_default();
    let result = match task.as_str() {
        "ci" => ci::run(),
        "setup" => ci::setup().map(drop),
        "test" => lanes::run(&[]),
        "cycles" => cycles::run(),
        "demo" => demo::run(&args[1..]),
        "schema" => docs::schema(),
        "man" => man::man().and_then(|pages| man::check(&pages)),
        "dist" => dist::run(&args[1..]),
        "bench" => bench::run(&args[1..]),
        "fuzz" => fuzz::run(&args[1..]),
        "vm" => vm::run(&args[1..]),
        _ => Err(
            "usage: cargo xtask ci | setup | test | cycles | demo [--install-deps] [--topology FILE] | schema | man | dist [--check] | bench [--with-nmstate] | fuzz [--seconds N] | vm [--deb FILE] [--only SUITE,...] [--break unit-order|nat-out]"
                .to_string(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {task}: {e}");
            ExitCode::FAILURE
        }
    }
}
