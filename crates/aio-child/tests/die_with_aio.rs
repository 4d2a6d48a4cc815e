//! A child started through aio-child dies with its parent, SIGKILL included,
//! and takes what it started with it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aio_sandbox::poll;
use aio_sandbox::process::alive_in_group;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const HELPER: &str = "AIO_CHILD_TEST_HELPER";

/// Plays aio: starts a shell that starts a grandchild, prints the group, waits to be killed.
#[test]
fn helper_plays_aio() {
    if std::env::var_os(HELPER).is_none() {
        return;
    }
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "sleep 300 & sleep 300"])
        .stdin(Stdio::null());
    let child = aio_child::spawn(&mut cmd).unwrap();
    println!("GROUP {}", child.id());
    std::thread::sleep(Duration::from_secs(300));
}

#[test]
fn a_killed_parent_leaves_no_child_or_grandchild() {
    let mut aio = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "helper_plays_aio",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HELPER, "1")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(aio.stdout.take().unwrap()).lines();
    let group: i32 = loop {
        let line = lines.next().expect("the helper printed its group").unwrap();
        // libtest writes its own words on the same line first.
        if let Some((_, g)) = line.split_once("GROUP ") {
            break g.trim().parse().unwrap();
        }
    };
    // Both sleeps are running in the child's own group (the assertion says if not).
    poll::within(Duration::from_secs(5), || alive_in_group(group).len() >= 3);
    assert_eq!(alive_in_group(group).len(), 3, "sh and its two sleeps");
    aio.kill().unwrap(); // SIGKILL
    aio.wait().unwrap();
    let gone = poll::within(Duration::from_secs(2), || alive_in_group(group).is_empty());
    assert!(
        gone,
        "still alive 2 s after the parent was SIGKILLed: {:?}",
        alive_in_group(group)
    );
}

#[test]
fn a_finished_child_gives_its_output_and_leaves_nothing_behind() {
    // `cat` ends only at EOF: nobody else (the guardian) may hold its stdin open.
    let out = aio_child::output(
        Command::new("sh").args(["-c", "cat; echo err >&2"]),
        Some(b"got it\n"),
    )
    .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "got it\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");
}
