//! `cargo xtask fuzz [--seconds N]`: each fuzz target of `fuzz/` for N
//! seconds (default 20) with nightly and cargo-fuzz, from the committed
//! seeds (`fuzz/corpus/TARGET`, never written to: new inputs go to a temp
//! dir). A crash fails the task; its reproducer is in
//! `fuzz/artifacts/TARGET/`, to be committed with the fix (the seeds are run
//! as regression tests by `cargo test`). Without nightly it says so and
//! skips.
//!
//! The targets are parsers in safe Rust, so they are built without
//! AddressSanitizer (`--sanitizer none`): it guards against the memory
//! errors safe code cannot make, and instrumenting every dependency for it
//! made the build take 400 s instead of 277 s. Panics, overflow checks
//! and the RSS limit still end a run as a crash.

use std::process::Command;

use crate::shell::root;

pub const TARGETS: [&str; 3] = ["topology", "saved_plan", "ovsdb_decoder"];

pub fn run(args: &[String]) -> Result<(), String> {
    let seconds: u64 = match args {
        [] => 20,
        [flag, n] if flag == "--seconds" => n
            .parse()
            .map_err(|_| format!("--seconds {n}: not a number"))?,
        _ => return Err("usage: cargo xtask fuzz [--seconds N]".into()),
    };
    let toolchains = Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .map_err(|e| format!("rustup: {e}"))?;
    if !String::from_utf8_lossy(&toolchains.stdout).contains("nightly") {
        println!("xtask fuzz: skipped: no nightly toolchain here (cargo-fuzz needs one)");
        return Ok(());
    }
    if !Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        crate::shell::sh("cargo", &["install", "--locked", "cargo-fuzz"])?;
    }
    for target in TARGETS {
        let work = tempfile_dir(target)?;
        let seeds = root().join("fuzz/corpus").join(target);
        println!("$ cargo +nightly fuzz run --sanitizer none {target} ({seconds} s)");
        let out = Command::new("cargo")
            .args(["+nightly", "fuzz", "run", "--sanitizer", "none", target])
            .arg(&work)
            .arg(&seeds)
            .args([
                "--",
                &format!("-max_total_time={seconds}"),
                "-rss_limit_mb=2048",
            ])
            .current_dir(root())
            .output()
            .map_err(|e| format!("cargo fuzz: {e}"))?;
        let _ = std::fs::remove_dir_all(&work);
        let log = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(format!("fuzz target {target} failed:\n{}", tail.join("\n")));
        }
        // libFuzzer's last words: "Done 123456 runs in 20 second(s)".
        let done = log
            .lines()
            .rev()
            .find(|l| l.starts_with("Done "))
            .unwrap_or("(no summary)");
        println!("fuzz {target}: {done}, no crash");
    }
    Ok(())
}

/// A fresh working corpus dir for `target`.
fn tempfile_dir(target: &str) -> Result<std::path::PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("aio-fuzz-{target}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}
