//! A rehearsal stays in its namespace; Kolla's children die with aio; what a
//! killed run leaves is cleaned up or named, never silently redone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aio_sandbox::process::alive_with_env;
use common::kolla::{STAND_IN, no_venv, ran};
use common::{Sandbox, poll, run, stderr};
use std::process::Stdio;
use std::time::Duration;

#[test]
fn a_rehearsal_refuses_the_host_s_kolla_and_ovsdb_and_real_playbooks() {
    let sb = Sandbox::new();
    let reference = std::fs::read_to_string(common::REFERENCE).unwrap();
    let t = sb.topology("host.toml", &reference);
    let before = sb.everything();
    let out = sb.aio("plan", &t, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let line = |needle: &str| {
        1 + reference
            .lines()
            .position(|l| l.starts_with(needle))
            .unwrap_or_else(|| panic!("no {needle} in the reference"))
    };
    for (needle, word) in [
        ("db = ", "the host's Open vSwitch"),
        ("venv = ", "the host's kolla-ansible"),
        ("config_dir = ", "the host's live Kolla configuration"),
        ("actions = ", "runs playbooks against the host"),
    ] {
        let at = format!("{}:{}:", t.display(), line(needle));
        assert!(
            err.contains(&at) && err.contains(word),
            "wanted {at} {word}:\n{err}"
        );
    }
    assert!(
        err.contains("octavia-certificates")
            && !err.contains("kolla-ansible octavia-certificates runs"),
        "{err}"
    );
    assert_eq!(sb.everything(), before);

    // aio init --netns writes a rehearsal that these rules accept.
    let init = sb.state.path().join("init.toml");
    let out = run(&["init", "--netns", &sb.ns, "-f", init.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&init).unwrap();
    let out = sb.aio("plan", &init, &[]);
    let err = stderr(&out);
    assert!(
        !err.contains("rehearsal"),
        "aio init --netns wrote what a rehearsal refuses:\n{err}\n{text}"
    );
}

#[test]
fn a_killed_apply_leaves_no_kolla_child_and_the_next_one_does_not_deploy_beside_it() {
    if no_venv() {
        return;
    }
    let sb = Sandbox::new();
    let t = sb.reference_with_actions(true);
    let record = sb.state.path().join("stand-in.record");
    let marker = format!("AIO_STANDIN_RECORD={}", record.display());
    let mut aio = sb
        .command("apply", &t, &["--yes"])
        .env("AIO_KOLLA_ANSIBLE", STAND_IN)
        .env("AIO_STANDIN_RECORD", &record)
        .env("AIO_STANDIN_HANG_AT", "deploy")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    poll::wait_until(Duration::from_secs(120), "deploy starting", || {
        std::fs::read_to_string(&record)
            .unwrap_or_default()
            .contains("deploy\t")
    });
    poll::wait_until(
        Duration::from_secs(60),
        "the stand-in and its sleep",
        || alive_with_env(&marker).len() >= 2,
    );
    aio.kill().unwrap(); // SIGKILL
    aio.wait().unwrap();
    let gone = poll::within(Duration::from_secs(20), || {
        alive_with_env(&marker).is_empty()
    });
    assert!(
        gone,
        "alive 20 s after aio was SIGKILLed: {:?}",
        alive_with_env(&marker)
    );

    // The next apply resumes at deploy, once, alone.
    let out = sb.aio_with(
        &[
            ("AIO_KOLLA_ANSIBLE", STAND_IN),
            ("AIO_STANDIN_RECORD", record.to_str().unwrap()),
        ],
        "apply",
        &t,
        &["--yes"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let ran = ran(&record);
    assert_eq!(ran.iter().filter(|a| *a == "deploy").count(), 2, "{ran:?}");
    assert_eq!(
        ran.last().map(String::as_str),
        Some("post-deploy"),
        "{ran:?}"
    );
}

#[test]
fn leftovers_of_a_killed_run_are_swept_and_a_damaged_record_is_named() {
    if no_venv() {
        return;
    }
    let sb = Sandbox::new();
    let t = sb.reference();
    sb.apply(&t);
    let config = sb.state.path().join("kolla-etc");
    // What a SIGKILL during kolla-genpwd leaves: a full password set in a temp file.
    let left = config.join(".passwords.yml.aio-Xq3v9z.tmp");
    std::fs::write(&left, "database_password: hunter2\n").unwrap();
    // The operator's file with a name like aio's temp files: not aio's.
    let theirs = config.join(".my-notes.aio-1.tmp");
    std::fs::write(&theirs, "mine\n").unwrap();
    std::fs::remove_file(config.join("globals.yml")).unwrap();
    sb.apply(&t);
    assert!(!left.exists(), "a killed run's temp file is left");
    assert!(theirs.exists(), "a file aio did not make was deleted");

    let record = sb.state.path().join("kolla/record.json");
    let text = std::fs::read_to_string(&record).unwrap();
    std::fs::write(&record, &text[..text.len() / 2]).unwrap();
    let out = sb.aio("plan", &t, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&record.display().to_string()) && err.contains("remove it"),
        "{err}"
    );
}
