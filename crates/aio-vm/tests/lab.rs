//! A lab is a namespace of its own, and nothing of it outlives it: dropped,
//! its namespace (with the bridge and taps in it) is gone; left behind by a
//! run that died, the next run's sweep deletes it and kills what ran in it.
//! Only namespaces made here are touched (run as root).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Stdio};

use aio_sandbox::namespaces_starting;
use aio_vm::{Lab, LabNet};

fn listed(name: &str) -> bool {
    namespaces_starting(name).iter().any(|n| n == name)
}

fn ip_in(ns: &str, args: &[&str]) -> String {
    let out = Command::new("ip")
        .args(["-n", ns])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ip -n {ns} {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_dropped_lab_leaves_no_namespace_behind() {
    let lab = Lab::create("droptest", LabNet::MANAGEMENT).unwrap();
    let name = lab.name().to_string();
    assert_eq!(
        name,
        format!("aio-vm-{}-droptest", std::process::id()),
        "the namespace names the run that made it"
    );
    assert!(listed(&name), "{name} is not listed");
    let bridge = ip_in(&name, &["-brief", "addr", "show", "br-mgmt"]);
    assert!(bridge.contains("192.168.100.1/24"), "{bridge}");
    let tap = lab.tap(3).unwrap();
    let taps = ip_in(&name, &["-brief", "link", "show", "master", "br-mgmt"]);
    assert!(taps.contains(&tap), "{taps}");

    drop(lab);

    assert!(!listed(&name), "{name} is still there after the drop");
}

#[test]
fn a_stale_lab_is_swept_with_what_ran_inside() {
    // A run that is gone: the PID of a process that has been reaped.
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let name = format!("aio-vm-{pid}-stale");
    let added = Command::new("ip")
        .args(["netns", "add", &name])
        .status()
        .unwrap();
    assert!(added.success());
    let mut inside = Command::new("ip")
        .args(["netns", "exec", &name, "sleep", "600"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let alive = aio_sandbox::poll::within(std::time::Duration::from_secs(30), || {
        ip_in_list(&name).contains(&inside.id().to_string())
    });
    assert!(alive, "sleep did not show up in {name}");
    // A live run's lab is not the sweep's.
    let live = Lab::create("live", LabNet::MANAGEMENT).unwrap();

    let swept = Lab::sweep_stale().unwrap();

    assert!(swept.contains(&name), "{swept:?}");
    assert!(!listed(&name), "{name} is still there after the sweep");
    let status = inside.wait().unwrap();
    assert!(!status.success(), "what ran in {name} was not killed");
    assert!(!swept.iter().any(|n| n == live.name()), "{swept:?}");
    assert!(listed(live.name()));
}

fn ip_in_list(ns: &str) -> String {
    let out = Command::new("ip")
        .args(["netns", "pids", ns])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}
