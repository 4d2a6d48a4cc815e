//! An apply killed with SIGKILL at any point leaves a system the next apply
//! converges, with nothing duplicated, no object aio forgets it owns, and a
//! readable state file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Sandbox;
use std::process::Stdio;
use std::time::{Duration, Instant};

const KILLS: u32 = 50;
const BRIDGES: usize = 60;

/// Bridges with an address each, and veth pairs on half of them.
fn big() -> String {
    let mut t = String::from("version = 1\n");
    for i in 0..BRIDGES {
        t += &format!(
            "[interfaces.kb{i}]\ntype = \"bridge\"\naddresses = [\"10.{}.{}.1/24\"]\n",
            100 + i / 200,
            i % 200
        );
        if i % 2 == 0 {
            t += &format!(
                "[interfaces.kv{i}]\ntype = \"veth\"\npeer = \"kw{i}\"\n[interfaces.kw{i}]\nmaster = \"kb{i}\"\n"
            );
        }
    }
    t
}

/// aio's links present in the sandbox.
fn ours(sb: &Sandbox) -> usize {
    sb.links()
        .keys()
        .filter(|n| n.starts_with("kb") || n.starts_with("kv") || n.starts_with("kw"))
        .count()
}

#[test]
fn an_apply_killed_at_fifty_points_always_converges_on_the_next_run() {
    let sb = Sandbox::new();
    let (full, empty) = (
        sb.topology("big.toml", &big()),
        sb.topology("empty.toml", "version = 1\n"),
    );
    let started = Instant::now();
    sb.apply(&full);
    let took = started.elapsed();
    let objects = ours(&sb);
    eprintln!("one apply of {objects} links and {BRIDGES} addresses took {took:?}");
    sb.apply(&empty);
    assert_eq!(ours(&sb), 0);

    for k in 0..KILLS {
        // Creating on even rounds, pruning on odd ones; the kill lands at
        // k/KILLS of a whole apply's time, from the process's very start.
        let (file, want) = if k % 2 == 0 {
            (&full, objects)
        } else {
            (&empty, 0)
        };
        let delay =
            took.mul_f64(f64::from(k) / f64::from(KILLS)) + Duration::from_millis(u64::from(k % 3));
        let mut child = sb
            .command("apply", file, &["--yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();

        let state = std::fs::read(sb.state.path().join("state.json"))
            .unwrap_or_else(|_| b"{\"owned\":{}}".to_vec());
        assert!(
            serde_json::from_slice::<serde_json::Value>(&state).is_ok(),
            "round {k}: the state file is corrupt"
        );
        sb.apply(file);
        assert_eq!(
            sb.plan(file),
            vec![],
            "round {k}: not converged after the kill at {delay:?}"
        );
        assert_eq!(ours(&sb), want, "round {k}: duplicates or leftovers");
    }
    // Everything aio ever made is still known to it: pruning leaves nothing.
    sb.apply(&empty);
    assert_eq!(ours(&sb), 0, "an object made before a kill was forgotten");
}
