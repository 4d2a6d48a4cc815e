//! Nothing a user types or does to aio's output makes it panic (exit 101):
//! a number of seconds out of range is a usage error (exit 2), and a
//! closed stdout ends every command quietly with exit 0, as ripgrep does
//! (`aio plan | head -1`), once a command that changes the host has
//! finished its work; a closed stderr changes nothing but the words.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{REFERENCE, Sandbox, command, poll, stderr};
use std::io::BufRead;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// Generous: the machine may be busy.
const LIMIT: Duration = Duration::from_secs(120);

/// Waits for `child` to end, killing it and failing after [`LIMIT`].
fn finish(mut child: Child, what: &str) -> Output {
    let ended = poll::within(LIMIT, || child.try_wait().unwrap().is_some());
    if !ended {
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        panic!(
            "{what} still ran after {LIMIT:?}; it said: {}",
            stderr(&out)
        );
    }
    child.wait_with_output().unwrap()
}

/// `aio` run to its end, writing to a pipe whose reader is closed before
/// it starts: its first write to stdout finds nobody to read it.
fn stdout_closed(aio: Command, what: &str) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    finish(writing_to(aio, writer), what)
}

/// `aio` started with nothing on stdin, its stdout into `stdout` and its
/// stderr kept; the command, with its copy of `stdout`, is dropped once
/// the child runs.
fn writing_to(mut aio: Command, stdout: std::io::PipeWriter) -> Child {
    let child = aio
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(aio);
    child
}

/// What is wrong with how `out` ended, if aio was to end quietly with 0.
fn not_quiet(out: &Output) -> Option<String> {
    let said = stderr(out);
    let loud = [
        "panicked",
        "Broken pipe",
        "failed printing",
        "failed to write",
    ]
    .iter()
    .any(|w| said.contains(w));
    (out.status.code() != Some(0) || loud).then(|| format!("{}: {said}", out.status))
}

fn assert_all_quiet(runs: Vec<(String, Output)>) {
    let failures: Vec<String> = runs
        .iter()
        .filter_map(|(what, out)| not_quiet(out).map(|why| format!("aio {what}: {why}")))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn commands_that_read_only_files_end_quietly_when_stdout_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let units = dir.path().join("units");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::create_dir_all(&units).unwrap();
    let (state, units) = (state.to_str().unwrap(), units.to_str().unwrap());
    let commands: Vec<Vec<&str>> = vec![
        vec!["--version"],
        vec!["--version", "--json"],
        vec!["--help"],
        vec!["help", "plan"],
        vec!["plan", "--help"],
        vec!["schema"],
        vec!["schema", "plan"],
        vec!["schema", "show"],
        vec!["completions", "bash"],
        vec!["completions", "zsh"],
        vec!["completions", "fish"],
        vec!["validate", "-f", REFERENCE],
        vec!["validate", "--json", "-f", REFERENCE],
        vec!["graph", "-f", REFERENCE],
        vec!["state", "list", "--state-dir", state],
        vec!["state", "list", "--json", "--state-dir", state],
        vec![
            "service",
            "install",
            "--dry-run",
            "--no-systemctl",
            "-f",
            REFERENCE,
            "--unit-dir",
            units,
            "--package-unit-dir",
            units,
        ],
    ];
    let runs = commands
        .iter()
        .map(|args| {
            let what = args.join(" ");
            (what.clone(), stdout_closed(command(args), &what))
        })
        .collect();
    assert_all_quiet(runs);
}

#[test]
fn commands_on_a_host_end_quietly_when_stdout_is_closed() {
    let sb = Sandbox::new();
    let t = sb.reference();
    let mut runs = Vec::new();
    for extra in [
        &[][..],
        &["--json"],
        &["--detailed-exitcode"],
        &["--destroy"],
    ] {
        let what = format!("plan {}", extra.join(" "));
        runs.push((
            what.clone(),
            stdout_closed(sb.command("plan", &t, extra), &what),
        ));
    }
    runs.push((
        "show".into(),
        stdout_closed(sb.command("show", &t, &[]), "show"),
    ));
    assert_all_quiet(runs);
    assert!(
        sb.links().get("veth-ovs").is_none(),
        "a plan changed the host"
    );
}

/// `aio ARGS` with stdout closed must end quietly with 0.
#[track_caller]
fn quietly(aio: Command, what: &str) {
    let out = stdout_closed(aio, what);
    assert!(
        not_quiet(&out).is_none(),
        "aio {what}: {:?}",
        not_quiet(&out)
    );
}

#[test]
fn commands_that_change_the_host_finish_their_work_when_stdout_is_closed() {
    let sb = Sandbox::new();
    let t = sb.reference();
    let saved = sb.state.path().join("saved.plan");
    let saved_arg = saved.to_str().unwrap();
    quietly(sb.command("plan", &t, &["--out", saved_arg]), "plan --out");
    assert!(
        saved.exists(),
        "plan --out stopped before it saved the plan"
    );

    quietly(sb.command("apply", &t, &["--yes"]), "apply --yes");
    assert_eq!(sb.plan(&t), Vec::new(), "apply stopped before it was done");
    quietly(
        sb.command("apply", &t, &["--yes", "--json"]),
        "apply --yes --json",
    );
    for extra in [&[][..], &["--json"]] {
        quietly(sb.command("show", &t, extra), "show");
    }
    quietly(sb.command("watch", &t, &[]), "watch");
    // Doctor's exit code is its verdict, stdout closed or not (no OVN
    // here: the bridge mapping is broken); it ends quietly, probe gone.
    for extra in [&[][..], &["--json"]] {
        let out = stdout_closed(sb.command("doctor", &t, extra), "doctor");
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "aio doctor: {said}");
        let loud = ["panicked", "Broken pipe", "failed to write"];
        assert!(!loud.iter().any(|w| said.contains(w)), "{said}");
    }
    assert!(
        !sb.links().keys().any(|l| l.starts_with("aio-doc")),
        "doctor left its probe behind"
    );

    let state = sb.state.path().to_str().unwrap();
    let listed = || {
        let out = command(&["state", "list", "--json", "--state-dir", state])
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["owned"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_string())
            .collect::<Vec<String>>()
    };
    for extra in [&[][..], &["--json"]] {
        let args = [&["state", "list", "--state-dir", state][..], extra].concat();
        quietly(command(&args), "state list");
    }
    let address = listed()
        .into_iter()
        .find(|id| id.starts_with("address/"))
        .expect("an address owned");
    quietly(
        command(&["state", "rm", &address, "--state-dir", state]),
        "state rm",
    );
    assert!(
        !listed().contains(&address),
        "state rm stopped before it forgot {address}"
    );

    quietly(sb.command("destroy", &t, &["--yes"]), "destroy --yes");
    assert!(
        sb.links().get("veth-ovs").is_none(),
        "destroy stopped before it was done"
    );
}

/// A terminal for stdin (the other end kept open by the caller), as a user
/// at a shell has when they type `aio apply | head -1`.
fn terminal() -> (std::os::fd::OwnedFd, std::os::fd::OwnedFd) {
    use std::os::fd::FromRawFd;
    let (mut controller, mut user) = (-1, -1);
    // SAFETY: openpty writes two new descriptors, which are owned from here.
    let made = unsafe {
        libc::openpty(
            &mut controller,
            &mut user,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(made, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just made and nothing else owns them.
    unsafe {
        (
            std::os::fd::OwnedFd::from_raw_fd(controller),
            std::os::fd::OwnedFd::from_raw_fd(user),
        )
    }
}

/// At a terminal whose stdout goes to a reader that left, apply cannot
/// show its question: it does not wait for an answer nobody was asked,
/// and changes nothing.
#[test]
fn apply_does_not_ask_when_stdout_is_closed() {
    let sb = Sandbox::new();
    let t = sb.reference();
    let before = sb.everything();
    let (_controller, user) = terminal();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = sb
        .command("apply", &t, &[])
        .stdin(user)
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = finish(child, "aio apply asking with stdout closed");
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("cannot ask"), "{said}");
    assert_eq!(sb.everything(), before, "apply changed the host");
}

#[test]
fn watch_ends_quietly_when_its_reader_goes_away_after_the_first_line() {
    let sb = Sandbox::new();
    let t = sb.reference();
    sb.apply(&t);
    let (reader, writer) = std::io::pipe().unwrap();
    let child = writing_to(sb.command("watch", &t, &[]), writer);
    let mut first = String::new();
    std::io::BufReader::new(reader)
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("aio watch:"), "{first}");
    // The reader is gone; a drift makes watch repair it and log a line.
    sb.ip(&["link", "del", "veth-ovs"]);
    let out = finish(child, "aio watch with its reader gone");
    assert!(not_quiet(&out).is_none(), "{:?}", not_quiet(&out));
    assert!(
        sb.links().contains_key("veth-ovs"),
        "watch ended before it repaired what it logged"
    );
}

#[test]
fn a_closed_stderr_neither_panics_nor_stops_an_apply() {
    let sb = Sandbox::new();
    let t = sb.reference();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut aio = sb.command("apply", &t, &["--yes", "-vv"]);
    let child = aio
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(writer)
        .spawn()
        .unwrap();
    drop(aio);
    let out = finish(child, "aio -vv apply with stderr closed");
    assert_eq!(out.status.code(), Some(0), "{}", common::stdout(&out));
    assert!(common::stdout(&out).contains("Apply complete"));
    assert!(sb.links().contains_key("veth-ovs"));

    // A refused topology, with both stdout and stderr closed: still exit 1.
    let bad = sb.topology("bad.toml", "version = 2\n");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = command(&["validate", "-f", bad.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(writer.try_clone().unwrap())
        .stderr(writer)
        .spawn()
        .unwrap();
    let out = finish(child, "aio validate with stdout and stderr closed");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn adopting_kolla_with_a_closed_stderr_still_takes_it_over() {
    let Some(k) = common::kolla::Kolla::new() else {
        return;
    };
    k.operators_globals(common::kolla::OPERATORS_GLOBALS);
    k.operators_passwords();
    // No Docker here: adopt has a note to give, on a stderr nobody reads.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let record = k.record.display().to_string();
    let child =
        k.sb.command("adopt", &k.topology, &["--yes"])
            .env("AIO_KOLLA_ANSIBLE", common::kolla::STAND_IN)
            .env("AIO_STANDIN_RECORD", &record)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(writer)
            .spawn()
            .unwrap();
    let out = finish(child, "aio adopt with stderr closed");
    let said = common::stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("  = kolla/deployment"), "{said}");
}

/// Every flag that takes seconds, as `(arguments before it, flag)`.
const SECONDS: [(&[&str], &str); 6] = [
    (&["apply", "-f", "/nonexistent/t.toml"], "--lock-timeout"),
    (&["destroy", "-f", "/nonexistent/t.toml"], "--lock-timeout"),
    (&["adopt", "-f", "/nonexistent/t.toml"], "--lock-timeout"),
    (&["watch", "-f", "/nonexistent/t.toml"], "--lock-timeout"),
    (&["watch", "-f", "/nonexistent/t.toml"], "--resync"),
    (
        &["state", "rm", "link/x", "--state-dir", "/proc/aio-none"],
        "--lock-timeout",
    ),
];

#[test]
fn seconds_out_of_range_are_usage_errors() {
    let mut failures = Vec::new();
    for (before, flag) in SECONDS {
        let mut bad = vec!["inf", "-inf", "NaN", "1e300", "-1", "86401", "ten", ""];
        if flag == "--resync" {
            bad.push("0.5");
        }
        for value in bad {
            let arg = format!("{flag}={value}");
            let args = [before, &[arg.as_str()]].concat();
            let child = command(&args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let out = finish(child, &arg);
            let said = stderr(&out);
            let refused = out.status.code() == Some(2)
                && said.contains("invalid value")
                && said.contains(flag)
                && !said.contains("panicked");
            if !refused {
                failures.push(format!("aio {}: {}: {said}", args.join(" "), out.status));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn seconds_within_range_are_taken() {
    for (before, flag) in SECONDS {
        for value in ["0", "0.2", "86400"] {
            if flag == "--resync" && value != "86400" {
                continue;
            }
            let arg = format!("{flag}={value}");
            let args = [before, &[arg.as_str()]].concat();
            let out = command(&args).stdin(Stdio::null()).output().unwrap();
            // Past the command line: the missing file or state dir is what stops it.
            assert_eq!(
                out.status.code(),
                Some(1),
                "aio {}: {}",
                args.join(" "),
                stderr(&out)
            );
        }
    }
}

/// The reproductions, on a real topology: each used to panic.
#[test]
fn infinite_and_huge_seconds_are_refused_before_anything_runs() {
    let sb = Sandbox::new();
    let t = sb.reference();
    let before = sb.everything();
    for (name, extra) in [
        ("apply", ["--lock-timeout", "inf"]),
        ("apply", ["--lock-timeout", "1e300"]),
        ("watch", ["--resync", "inf"]),
    ] {
        let child = sb
            .command(name, &t, &extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = finish(child, &format!("aio {name} {}", extra.join(" ")));
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "aio {name} {extra:?}: {said}");
        assert!(said.contains("at most 86400"), "{said}");
    }
    assert_eq!(
        sb.everything(),
        before,
        "a refused command changed the host"
    );
}
