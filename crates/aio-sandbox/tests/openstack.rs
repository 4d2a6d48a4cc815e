//! The real control plane beside the sandbox's OVN: what Neutron itself
//! makes through its API shows up in OVN's northbound database, survives a
//! restart of the daemons, and nothing of it is left once dropped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use aio_sandbox::openstack::{self, Cloud, NeutronSettings, Stack};

/// The reference topology's physnet MTU and VLAN ranges.
const PHYSNET_MTU: u32 = 9000;
const VLAN_RANGES: &str = "physnet1:1500:4000,physnet2:1400:1450";

/// `openstack ARGS -f json` through the cloud, failing with its logs.
fn api(cloud: &Cloud, args: &[&str]) -> serde_json::Value {
    cloud
        .openstack(args)
        .unwrap_or_else(|e| panic!("{e}\n{}", cloud.logs()))
}

/// The admin's password, as `clouds.yaml` holds it.
fn admin_password(clouds_yaml: &std::path::Path) -> String {
    let text = std::fs::read_to_string(clouds_yaml).unwrap();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("password: "));
    let password = line.unwrap().trim_start().trim_start_matches("password: ");
    assert!(password.len() >= 16, "a generated password");
    password.to_string()
}

fn field<'a>(value: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    value
        .get(name)
        .unwrap_or_else(|| panic!("no {name} in {value}"))
}

#[test]
fn neutron_makes_a_flat_network_in_ovn_and_leaves_nothing() {
    if !openstack::tests_may_run() {
        return;
    }
    let settings = NeutronSettings {
        physnet: "physnet1".into(),
        physnet_mtu: PHYSNET_MTU,
        vlan_ranges: VLAN_RANGES.into(),
    };
    let Stack {
        mut cloud,
        ovn,
        vswitchd,
        ovsdb,
        host,
        cloud_started_in,
    } = Stack::start("aio-openstack", &settings);
    eprintln!("cloud up in {:?}: {:?}", cloud_started_in, cloud.timings());
    eprintln!("memory (KiB RSS, workers included): {:?}", cloud.rss_kib());
    for (name, pid) in cloud.pids() {
        let group = aio_sandbox::process::alive_in_group(i32::try_from(pid).unwrap());
        eprintln!("{name}: {} process(es)", group.len());
    }

    let network = api(
        &cloud,
        &[
            "network",
            "create",
            "--provider-network-type",
            "flat",
            "--provider-physical-network",
            "physnet1",
            "--external",
            "public1",
        ],
    );
    let id = field(&network, "id").as_str().unwrap().to_string();
    api(
        &cloud,
        &[
            "subnet",
            "create",
            "--network",
            "public1",
            "--subnet-range",
            "10.0.2.0/24",
            "--gateway",
            "10.0.2.2",
            "--no-dhcp",
            "public1-subnet",
        ],
    );
    let shown = api(&cloud, &["network", "show", &id]);
    assert_eq!(field(&shown, "status"), "ACTIVE", "{shown}");
    assert_eq!(field(&shown, "provider:network_type"), "flat", "{shown}");
    assert_eq!(
        field(&shown, "provider:physical_network"),
        "physnet1",
        "{shown}"
    );
    assert_eq!(field(&shown, "mtu"), PHYSNET_MTU, "{shown}");

    let switch = format!("neutron-{id}");
    let localnet = ovn.nbctl(&[
        "--bare",
        "--columns=options",
        "find",
        "logical_switch_port",
        "type=localnet",
    ]);
    assert!(
        localnet.contains("network_name=physnet1"),
        "no localnet port for physnet1: {localnet}"
    );
    let ports = ovn.nbctl(&["lsp-list", &switch]);
    assert!(
        ports.contains("provnet-"),
        "{switch} has no provnet port: {ports}"
    );

    let project = api(&cloud, &["project", "show", "admin"]);
    let project_id = field(&project, "id").as_str().unwrap();
    let groups = api(
        &cloud,
        &["security", "group", "list", "--project", project_id],
    );
    let default = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["Name"] == "default")
        .unwrap_or_else(|| panic!("no default security group: {groups}"));
    let group_id = field(default, "ID").as_str().unwrap();
    let rules = api(&cloud, &["security", "group", "rule", "list", group_id]);
    let rules = rules.as_array().unwrap();
    // A project's default group: egress IPv4 and IPv6 anywhere, ingress from the group itself.
    let count = |direction: &str, ethertype: &str| {
        rules
            .iter()
            .filter(|r| r["Direction"] == direction && r["Ethertype"] == ethertype)
            .count()
    };
    for ethertype in ["IPv4", "IPv6"] {
        assert_eq!(count("egress", ethertype), 1, "{rules:?}");
        assert_eq!(count("ingress", ethertype), 1, "{rules:?}");
    }

    let stopped = Instant::now();
    cloud.stop();
    assert!(
        cloud.leftovers().is_empty(),
        "left after stop: {:?}",
        cloud.leftovers()
    );
    eprintln!("stopped in {:?}", stopped.elapsed());
    cloud.start_again().unwrap_or_else(|e| panic!("{e}"));
    eprintln!("started again: {:?}", cloud.timings());
    let again = api(&cloud, &["network", "show", "public1"]);
    assert_eq!(field(&again, "id"), id.as_str());
    assert_eq!(field(&again, "status"), "ACTIVE");

    cloud
        .openstack_unit(&["subnet", "delete", "public1-subnet"])
        .unwrap_or_else(|e| panic!("{e}"));
    let subnets = api(&cloud, &["subnet", "list", "--network", "public1"]);
    assert_eq!(subnets, serde_json::json!([]), "the subnet is still there");
    let password = admin_password(cloud.clouds_yaml());
    let error = cloud
        .openstack(&["network", "show", "no-such-network"])
        .expect_err("an unknown network is an error");
    assert!(error.contains("network show no-such-network"), "{error}");
    assert!(!error.contains(&password), "the error shows the password");

    let pids: Vec<u32> = cloud.pids().into_iter().map(|(_, pid)| pid).collect();
    let dir = cloud.dir().to_path_buf();
    let clouds_yaml = cloud.clouds_yaml().to_path_buf();
    drop(cloud);
    for pid in pids {
        let gone = aio_sandbox::process::alive_in_group(i32::try_from(pid).unwrap());
        assert!(gone.is_empty(), "process group {pid} lives on: {gone:?}");
    }
    assert!(!dir.exists(), "{} is left", dir.display());
    assert!(!clouds_yaml.exists());
    drop(ovn);
    drop(vswitchd);
    drop(ovsdb);
    let ns = host.ns.clone();
    drop(host);
    assert!(
        aio_sandbox::namespaces_starting(&ns).is_empty(),
        "namespace {ns} is left"
    );
}
