//! The scenario of `cargo xtask demo`, as a test: the reference topology,
//! with real OVN wired by the real neutron-server (objects made through its
//! API), carries traffic, survives a reboot in boot order, leaves nothing
//! behind, and a broken design shows up as a failed proof.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aio_sandbox::lab::{Lab, Proof};
use common::REFERENCE;
use std::path::Path;
use std::time::Instant;

fn lab(name: &str, reference: &str) -> Lab {
    Lab::new(
        &format!("{name}-{}", std::process::id()),
        Path::new(env!("CARGO_BIN_EXE_aio")),
        reference,
    )
}

/// The claims that did not hold, each with why.
fn failed(proofs: &[Proof]) -> Vec<String> {
    proofs
        .iter()
        .filter(|p| !p.held)
        .map(|p| format!("{} {}", p.claim, p.why))
        .collect()
}

fn neutron(lab: &mut Lab) {
    if let Err(e) = lab.neutron() {
        panic!("Neutron's objects: {e}\n{}", lab.logs());
    }
}

/// The claims that did not hold, by the start of their text.
fn failed_starting(proofs: &[Proof], starts: &[&str]) -> Vec<String> {
    failed(proofs)
        .into_iter()
        .filter(|c| starts.iter().any(|s| c.starts_with(s)))
        .collect()
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status")).is_ok_and(|s| {
        !s.lines()
            .any(|l| l.starts_with("State:") && l.contains('Z'))
    })
}

#[test]
fn the_reference_topology_carries_traffic_through_ovn_and_comes_back_after_a_reboot() {
    // Only where the test command could not install them (no PyPI).
    for env in ["AIO_TEST_NO_OPENSTACK_VENV", "AIO_TEST_NO_KOLLA_VENV"] {
        if let Ok(why) = std::env::var(env) {
            eprintln!("skipped: {env}: {why}");
            return;
        }
    }
    let started = Instant::now();
    let reference = std::fs::read_to_string(REFERENCE).unwrap();
    let mut lab = lab("aio-dp", &reference);
    assert!(
        lab.design.mtu > 1500,
        "the reference's physnet MTU ({}) is jumbo: the full-size proofs show its links carry it",
        lab.design.mtu
    );
    let first = lab.aio("apply", &["--yes"]);
    assert_eq!(first.code, Some(0), "{}{}", first.stdout, first.stderr);
    assert!(
        first.stdout.contains("1 waiting for other resources"),
        "the br-ex port should wait for Kolla:\n{}",
        first.stdout
    );
    lab.kolla_makes_br_ex();
    let second = lab.aio("apply", &["--yes"]);
    assert_eq!(second.code, Some(0), "{}{}", second.stdout, second.stderr);
    assert!(
        second.stdout.contains("+ ovs-port/br-ex/v-lbaas-vlan"),
        "{}",
        second.stdout
    );
    neutron(&mut lab);
    assert_eq!(
        failed(&lab.proofs()),
        Vec::<String>::new(),
        "{}",
        lab.logs()
    );
    let gateway = lab.init_runonce_gateway();
    assert!(gateway.held, "{}: {}", gateway.claim, gateway.why);

    // Broken on purpose: the operator moves Octavia's VLAN to the twin's
    // in the file (the port's tag and Kolla's setting agree, so the file is
    // valid), while lb-mgmt-net in Neutron stays on 1718.
    assert!(reference.contains("tag = 1718"));
    assert!(reference.contains("provider_segmentation_id = 1718"));
    lab.edit_topology(&reference.replace("tag = 1718", "tag = 1717").replace(
        "provider_segmentation_id = 1718",
        "provider_segmentation_id = 1717",
    ));
    let wrong = lab.aio("apply", &["--yes"]);
    assert_eq!(wrong.code, Some(0), "{}{}", wrong.stdout, wrong.stderr);
    let proofs = lab.proofs();
    let amphora = [
        "amphora on lb-mgmt-net",
        "the amphora's heartbeat",
        "the controller calls the amphora's agent",
        "amphora and v-lbaas exchange",
        "an amphora on VLAN",
    ];
    assert_eq!(
        failed_starting(&proofs, &amphora).len(),
        amphora.len(),
        "every amphora proof fails on tag 1717: {:?}",
        failed(&proofs)
    );
    lab.edit_topology(&reference);
    let right = lab.aio("apply", &["--yes"]);
    assert_eq!(right.code, Some(0), "{}{}", right.stdout, right.stderr);

    lab.reboot();
    let at_boot = lab.aio("apply", &["--yes"]);
    assert_eq!(at_boot.code, Some(1), "OVSDB is down: {}", at_boot.stdout);
    assert!(
        at_boot.stderr.contains("cannot connect to OVSDB"),
        "{}",
        at_boot.stderr
    );
    assert!(
        at_boot.stdout.contains("+ link/veth-ovs")
            && at_boot.stdout.contains("+ nat/eth0/10.0.2.0/24"),
        "{}",
        at_boot.stdout
    );
    if let Err(e) = lab.start_daemons() {
        panic!("the daemons after the reboot: {e}");
    }
    let after = lab.aio("apply", &["--yes"]);
    assert_eq!(after.code, Some(0), "{}{}", after.stdout, after.stderr);
    assert_eq!(
        failed(&lab.proofs()),
        Vec::<String>::new(),
        "after the reboot:\n{}",
        lab.logs()
    );

    // Broken on purpose: Octavia's group without the agent's rule.
    lab.remove_agent_rule().unwrap();
    let proofs = lab.proofs();
    assert_eq!(
        failed(&proofs).len(),
        1,
        "only the controller's call fails: {:?}",
        failed(&proofs)
    );
    assert_eq!(
        failed_starting(&proofs, &["the controller calls the amphora's agent"]).len(),
        1
    );
    // Drift that validation cannot see: the health manager's end at 1500.
    lab.host.ip(&["link", "set", "v-lbaas", "mtu", "1500"]);
    let proofs = lab.proofs();
    assert_eq!(
        failed_starting(&proofs, &["amphora and v-lbaas exchange"]).len(),
        1,
        "{:?}",
        failed(&proofs)
    );
    assert!(
        failed_starting(&proofs, &["amphora on lb-mgmt-net"]).is_empty(),
        "small packets still pass: {:?}",
        failed(&proofs)
    );

    // Nothing left behind: the daemons, the namespaces, the temp dirs.
    let (pids, dirs) = lab.traces();
    let ns = lab.host.ns.clone();
    drop(lab);
    let left: Vec<u32> = pids.into_iter().filter(|p| alive(*p)).collect();
    assert!(left.is_empty(), "daemons still running: {left:?}");
    assert!(aio_sandbox::namespaces_starting(&ns).is_empty());
    assert!(dirs.iter().all(|d| !d.exists()), "{dirs:?}");
    eprintln!("the scenario took {:.1} s", started.elapsed().as_secs_f64());
}
