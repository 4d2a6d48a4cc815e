//! The cloud side in the same graph, against the sandbox's real Keystone
//! and neutron-server (OpenStack 2025.1, ML2/OVN): `public1` made by the
//! apply that runs post-deploy (Kolla's stand-in writes `clouds.yaml`, as
//! Kolla's role does), then a converged plan;
//! the `public1` Kolla's `init-runonce` makes (gateway 10.0.2.1) adopted
//! and fixed in place; a CIDR change refused while a floating IP uses the
//! network; Octavia's network on the wrong VLAN a conflict naming both
//! lines of the topology; a destroy that leaves `public1` while an
//! operator's subnet is on it; no secret of `clouds.yaml` in any output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use aio_sandbox::lab::{Lab, Run};
use common::REFERENCE;

/// The one line a topology needs for aio to make Neutron's external network.
const NEUTRON: &str = "\n[neutron.external_network]\nname = \"public1\"\n";
/// How a Fernet token, the sandbox's kind, starts.
const FERNET_PREFIX: &str = "gAAAAA";

fn said(run: &Run) -> String {
    format!("exit {:?}\n{}{}", run.code, run.stdout, run.stderr)
}

fn config_dir(lab: &Lab) -> PathBuf {
    lab.topology.parent().unwrap().join("kolla")
}

/// The password of `clouds.yaml`, to look for where it must not be.
fn password(clouds_yaml: &Path) -> String {
    let text = std::fs::read_to_string(clouds_yaml).unwrap();
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("password:"))
        .expect("clouds.yaml has a password");
    line.trim().trim_matches(['"', '\'']).to_string()
}

fn assert_no_secret(what: &str, text: &str, password: &str) {
    assert!(
        !text.contains(password),
        "{what} shows the password:\n{text}"
    );
    assert!(
        !text.contains(FERNET_PREFIX),
        "{what} shows a token:\n{text}"
    );
}

/// The line number (1-based) of the first line of `text` holding `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

fn openstack(lab: &Lab, args: &[&str]) -> serde_json::Value {
    lab.cloud()
        .openstack(args)
        .unwrap_or_else(|e| panic!("openstack {}: {e}", args.join(" ")))
}

#[test]
fn the_external_network_is_made_adopted_fixed_and_guarded_through_the_real_neutron() {
    for env in ["AIO_TEST_NO_OPENSTACK_VENV", "AIO_TEST_NO_KOLLA_VENV"] {
        if let Ok(why) = std::env::var(env) {
            eprintln!("skipped: {env}: {why}");
            return;
        }
    }
    let reference = std::fs::read_to_string(REFERENCE).unwrap() + NEUTRON;
    let lab = Lab::new(
        &format!("aio-cloud-{}", std::process::id()),
        Path::new(env!("CARGO_BIN_EXE_aio")),
        &reference,
    );
    lab.kolla_makes_br_ex();

    // Before post-deploy: the plumbing is made, the cloud side cannot be
    // planned and says why.
    let early = lab.aio("apply", &["--yes"]);
    assert_eq!(early.code, Some(1), "{}", said(&early));
    assert!(
        early.stderr.contains("clouds.yaml does not exist") && early.stderr.contains("post-deploy"),
        "{}",
        said(&early)
    );

    // A deployment whose post-deploy writes clouds.yaml (Kolla's stand-in
    // does, as Kolla's role would): one apply runs it and makes public1.
    let clouds = config_dir(&lab).join("clouds.yaml");
    let text = std::fs::read_to_string(&lab.topology).unwrap();
    std::fs::write(
        &lab.topology,
        text.replace("actions = []", "actions = [\"post-deploy\"]"),
    )
    .unwrap();
    let stand_in =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stand-in/kolla-ansible-stand-in");
    let record = lab.topology.parent().unwrap().join("stand-in.calls");
    let env = [
        ("AIO_KOLLA_ANSIBLE", stand_in.as_path()),
        ("AIO_STANDIN_RECORD", record.as_path()),
        ("AIO_STANDIN_CLOUDS_YAML", lab.cloud().clouds_yaml()),
    ];
    // From now on every run sees the stand-in, as the deployment has it.
    let aio = |command: &str, args: &[&str]| lab.aio_with(command, args, &env);
    let fresh = aio("apply", &["--yes"]);
    let calls = std::fs::read_to_string(&record).unwrap_or_default();
    assert!(
        calls.starts_with("post-deploy\t"),
        "the stand-in ran: {calls:?}\n{}",
        said(&fresh)
    );
    let secret = password(&clouds);
    assert_eq!(fresh.code, Some(0), "{}", said(&fresh));
    assert!(
        fresh.stdout.contains("+ neutron-network/external")
            && fresh.stdout.contains("+ neutron-subnet/external"),
        "{}",
        said(&fresh)
    );
    let network = openstack(&lab, &["network", "show", "public1"]);
    assert_eq!(network["router:external"], true, "{network}");
    assert_eq!(network["provider:network_type"], "flat", "{network}");
    assert_eq!(
        network["provider:physical_network"], "physnet1",
        "{network}"
    );
    assert!(
        network["tags"].to_string().contains("aio:external-network"),
        "{network}"
    );
    let subnet = openstack(&lab, &["subnet", "show", "public1-subnet"]);
    assert_eq!(subnet["gateway_ip"], "10.0.2.2", "{subnet}");
    assert_eq!(subnet["cidr"], "10.0.2.0/24", "{subnet}");
    assert_eq!(subnet["enable_dhcp"], false, "{subnet}");
    assert!(
        subnet["allocation_pools"]
            .to_string()
            .contains("10.0.2.128"),
        "{subnet}"
    );
    let again = aio("plan", &["--detailed-exitcode", "-vv"]);
    assert_eq!(again.code, Some(0), "{}", said(&again));
    assert_no_secret("plan -vv", &said(&again), &secret);
    let cost = again
        .stderr
        .lines()
        .find(|l| l.contains("the cloud side observed"))
        .unwrap_or_else(|| panic!("plan -vv says what the cloud side cost:\n{}", said(&again)));
    eprintln!("a converged plan: {cost}");
    let json = aio("plan", &["--json"]);
    assert_no_secret("plan --json", &said(&json), &secret);
    let saved = lab.topology.parent().unwrap().join("saved.plan");
    let out = aio("plan", &["--out", saved.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", said(&out));
    assert_no_secret(
        "a saved plan",
        &std::fs::read_to_string(&saved).unwrap(),
        &secret,
    );

    // Kolla's init-runonce made public1 instead: gateway 10.0.2.1, which
    // nothing on dummy1 answers.
    lab.cloud()
        .openstack_unit(&["network", "delete", "public1"])
        .unwrap();
    openstack(
        &lab,
        &[
            "network",
            "create",
            "--external",
            "--provider-physical-network",
            "physnet1",
            "--provider-network-type",
            "flat",
            "public1",
        ],
    );
    openstack(
        &lab,
        &[
            "subnet",
            "create",
            "--no-dhcp",
            "--allocation-pool",
            "start=10.0.2.150,end=10.0.2.199",
            "--network",
            "public1",
            "--subnet-range",
            "10.0.2.0/24",
            "--gateway",
            "10.0.2.1",
            "public1-subnet",
        ],
    );
    let seen = aio("plan", &["--detailed-exitcode"]);
    assert_eq!(seen.code, Some(2), "{}", said(&seen));
    assert!(
        seen.stdout.contains("gateway_ip: 10.0.2.1 -> 10.0.2.2"),
        "{}",
        said(&seen)
    );
    // aio's own public1 was deleted and made again by someone else: no
    // longer aio's (on a host aio never ran on: "exists, not aio's").
    assert!(
        seen.stdout
            .contains("neutron-network/external released: made again by someone else"),
        "{}",
        said(&seen)
    );
    let fixed = aio("apply", &["--yes"]);
    assert_eq!(fixed.code, Some(0), "{}", said(&fixed));
    let unowned = aio("plan", &[]);
    assert!(
        unowned
            .stdout
            .contains("neutron-network/external exists, not aio's"),
        "{}",
        said(&unowned)
    );
    let adopted = aio("adopt", &["--yes"]);
    assert_eq!(adopted.code, Some(0), "{}", said(&adopted));
    let subnet = openstack(&lab, &["subnet", "show", "public1-subnet"]);
    assert_eq!(subnet["gateway_ip"], "10.0.2.2", "{subnet}");
    let network = openstack(&lab, &["network", "show", "public1"]);
    assert!(
        network["tags"].to_string().contains("aio:external-network"),
        "{network}"
    );
    let settled = aio("plan", &["--detailed-exitcode"]);
    assert_eq!(settled.code, Some(0), "{}", said(&settled));

    // A floating IP uses public1: a CIDR change is a replace, refused.
    let fip = openstack(&lab, &["floating", "ip", "create", "public1"]);
    let address = fip["floating_ip_address"].as_str().unwrap().to_string();
    let moved = reference
        .replace(
            "addresses = [\"10.0.2.2/24\"]",
            "addresses = [\"10.0.3.2/24\"]",
        )
        .replace("source = \"10.0.2.0/24\"", "source = \"10.0.3.0/24\"");
    assert_ne!(moved, reference);
    lab.edit_topology(&moved);
    let refused = aio("plan", &[]);
    assert_eq!(refused.code, Some(1), "{}", said(&refused));
    for needle in ["neutron-subnet/external", "cidr", "10.0.3.0/24", &address] {
        assert!(
            refused.stderr.contains(needle),
            "no {needle:?} in:\n{}",
            said(&refused)
        );
    }
    lab.edit_topology(&reference);
    let subnet = openstack(&lab, &["subnet", "show", "public1-subnet"]);
    assert_eq!(subnet["cidr"], "10.0.2.0/24", "{subnet}");

    // Octavia's network made on VLAN 1717 while the port says 1718.
    lab.kolla_makes_lb_mgmt_net(1717).unwrap();
    let conflict = aio("plan", &[]);
    assert_eq!(conflict.code, Some(2), "{}", said(&conflict));
    let text = std::fs::read_to_string(&lab.topology).unwrap();
    let file = lab.topology.display().to_string();
    for needle in ["tag = 1718", "provider_segmentation_id = 1718"] {
        let at = format!("{file}:{}:", line_of(&text, needle));
        let line = conflict
            .stderr
            .lines()
            .find(|l| l.starts_with(&at))
            .unwrap_or_else(|| panic!("no conflict at {at} ({needle}):\n{}", said(&conflict)));
        assert!(line.contains("1717") && line.contains("1718"), "{line}");
    }
    let kept = aio("apply", &["--yes"]);
    assert_eq!(kept.code, Some(2), "{}", said(&kept));
    let octavia = openstack(&lab, &["network", "show", "lb-mgmt-net"]);
    assert_eq!(octavia["provider:segmentation_id"], 1717, "{octavia}");

    // An operator's subnet on public1: Neutron would delete it with the
    // network, so aio's destroy leaves the network, naming the subnet.
    let fip_id = fip["id"].as_str().unwrap();
    lab.cloud()
        .openstack_unit(&["floating", "ip", "delete", fip_id])
        .unwrap();
    openstack(
        &lab,
        &[
            "subnet",
            "create",
            "--network",
            "public1",
            "--subnet-range",
            "10.0.9.0/24",
            "theirs",
        ],
    );
    let destroyed = aio("destroy", &["--yes"]);
    assert_ne!(destroyed.code, Some(0), "{}", said(&destroyed));
    assert!(
        destroyed.stderr.contains("subnet theirs") && destroyed.stderr.contains("not aio's"),
        "{}",
        said(&destroyed)
    );
    let network = openstack(&lab, &["network", "show", "public1"]);
    assert_eq!(network["name"], "public1", "{network}");
    let theirs = openstack(&lab, &["subnet", "show", "theirs"]);
    assert_eq!(theirs["cidr"], "10.0.9.0/24", "{theirs}");
}
