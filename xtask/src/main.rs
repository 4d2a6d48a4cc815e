//! `cargo xtask ci`: install what the tests need, then format check, clippy, every test.
//! `cargo xtask setup`: only the install part of `ci`.
//! `cargo xtask demo`: the reference topology planned and applied in a sandbox.
//! `cargo xtask schema`: docs/topology.schema.json; `cargo xtask man`: man pages in target/man.
//! `cargo xtask bench`: aio's cost against ip -batch, ovs-vsctl (and nmstatectl) into docs/benchmarks.md.
//! `cargo xtask fuzz`: each fuzz target for a bounded time (nightly).
// A test and developer tool: a failure here is a failed test or task, said loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bench;
mod ci;
mod demo;
mod dist;
mod docs;
mod fuzz;
mod man;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().cloned().unwrap_or_default();
    let result = match task.as_str() {
        "ci" => ci::run(),
        "setup" => ci::setup().map(drop),
        "demo" => demo::run(&args[1..]),
        "schema" => docs::schema(),
        "man" => man::man().and_then(|pages| man::check(&pages)),
        "dist" => dist::run(&args[1..]),
        "bench" => bench::run(&args[1..]),
        "fuzz" => fuzz::run(&args[1..]),
        _ => Err(
            "usage: cargo xtask ci | setup | demo [--install-deps] [--topology FILE] | schema | man | dist [--check] | bench [--with-nmstate] | fuzz [--seconds N]"
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

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("workspace root")
}

/// Network namespaces, packages and the kernel objects the tests make need root.
pub fn require_root(what: &str) -> Result<(), String> {
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .map_err(|e| e.to_string())?;
    if String::from_utf8_lossy(&uid.stdout).trim() == "0" {
        Ok(())
    } else {
        Err(format!(
            "{what} needs root (it creates network namespaces): run it as root"
        ))
    }
}

/// Runs a command in the workspace root, failing on a non-zero exit.
pub fn sh(program: &str, args: &[&str]) -> Result<(), String> {
    println!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(root())
        .status()
        .map_err(|e| format!("{program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}
