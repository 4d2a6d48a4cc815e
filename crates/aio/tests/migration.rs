//! Moving a host the old bash installer built over to aio, step by step as
//! docs/migration.md says: a namespace is left exactly as the installer's
//! scripts leave a host after two boots (its links, addresses, two
//! iptables masquerade rules, the OVS port it adds by hand, its two boot
//! units enabled in a temporary root, Kolla deployed with the operator's
//! own `globals.yml` and VIP), then `aio adopt` takes it over. Kolla's
//! actions go to the named stand-in (`stand-in/kolla-ansible-stand-in`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::Sandbox;
use common::kolla::{Kolla, OPERATORS_GLOBALS};
use common::run::said as text;

/// The host as the installer's scripts leave it after `boots` boots.
fn as_the_installer_leaves_it(sb: &Sandbox, boots: usize) {
    // As the installer finds it: the interface of the IPv4 default route.
    let route = sb.ip(&["-o", "-4", "route", "show", "to", "default"]);
    let words: Vec<&str> = route.split_whitespace().collect();
    let nic = words[words.iter().position(|w| *w == "dev").unwrap() + 1].to_string();
    sb.exec_ok(&["ip", "link", "add", "dummy1", "type", "bridge"]);
    sb.exec_ok(&["ip", "link", "set", "dummy1", "up"]);
    sb.exec_ok(&["ip", "addr", "add", "10.0.2.2/24", "dev", "dummy1"]);
    sb.veth("veth-ovs", "veth-br");
    sb.exec_ok(&["ip", "link", "set", "veth-br", "master", "dummy1"]);
    sb.exec_ok(&["ip", "link", "set", "veth-ovs", "up"]);
    sb.exec_ok(&["ip", "link", "set", "veth-br", "up"]);
    // Appended again at every boot.
    for _ in 0..boots {
        sb.exec_ok(&[
            "iptables",
            "-t",
            "nat",
            "-A",
            "POSTROUTING",
            "-s",
            "10.0.2.0/24",
            "-o",
            &nic,
            "-j",
            "MASQUERADE",
        ]);
    }
    sb.veth("v-lbaas-vlan", "v-lbaas");
    sb.exec_ok(&["ip", "addr", "add", "172.18.255.254/16", "dev", "v-lbaas"]);
    sb.exec_ok(&["ip", "link", "set", "v-lbaas-vlan", "up"]);
    sb.exec_ok(&["ip", "link", "set", "v-lbaas", "up"]);
    // Added by hand once Kolla's openvswitch containers run.
    sb.ovsdb
        .vsctl(&["add-port", "br-ex", "v-lbaas-vlan", "tag=1718"]);
}

/// The installer's two boot units (the seed's own unit files and scripts),
/// enabled, under `root`: the links, or none where the seed is not at hand.
fn boot_units(root: &Path) -> Vec<std::path::PathBuf> {
    aio_sandbox::seed::upstream()
        .map(|upstream| aio_sandbox::seed::installer_units(&upstream, root).to_vec())
        .unwrap_or_default()
}

/// Masquerade rules for 10.0.2.0/24 in the namespace's whole ruleset.
fn masquerades(sb: &Sandbox) -> usize {
    sb.nft("list ruleset")
        .lines()
        .filter(|l| l.contains("10.0.2.0/24") && l.contains("masquerade"))
        .count()
}

#[test]
fn adopt_takes_over_what_the_installer_built_and_destroy_then_removes_it() {
    let Some(k) = Kolla::new() else { return };
    let sb = &k.sb;
    as_the_installer_leaves_it(sb, 2);
    k.operators_globals(OPERATORS_GLOBALS);
    k.operators_passwords();
    let root = tempfile::tempdir().unwrap();
    let wants = boot_units(root.path());
    let root_arg = root.path().to_str().unwrap();

    // Before: the plan changes none of it and says whose it is.
    let shown = text(&k.run_with(&[], "plan", &[]));
    assert!(
        shown.contains("note: link/dummy1 exists, not aio's: `aio adopt` takes it over"),
        "{shown}"
    );
    assert!(shown.contains("declares, not aio's"), "{shown}");
    assert_eq!(masquerades(sb), 2);

    let adopt = k.run_with(&[], "adopt", &["--yes", "--root", root_arg]);
    let shown = text(&adopt);
    assert!(adopt.status.success(), "{shown}");
    for adopted in [
        "link/dummy1",
        "link/veth-ovs",
        "link/v-lbaas",
        "address/dummy1/10.0.2.2/24",
        "ovs-port/br-ex/v-lbaas-vlan",
        "kolla/deployment",
    ] {
        assert!(
            shown.contains(&format!("  = {adopted}")),
            "{adopted} not adopted:\n{shown}"
        );
    }
    assert!(shown.contains("taken over by nat/"), "{shown}");
    // No Docker here: what adopting Kolla could not check is said.
    assert!(
        shown.contains("Kolla's containers were not checked"),
        "{shown}"
    );
    assert!(shown.contains("duplicate of nat/"), "{shown}");
    assert!(
        wants.is_empty() || shown.contains("boot unit setup-interfaces.service (to disable)"),
        "{shown}"
    );
    assert_eq!(masquerades(sb), 1, "exactly one masquerade rule is left");
    for link in &wants {
        assert!(
            link.symlink_metadata().is_err(),
            "{} still enables its unit",
            link.display()
        );
    }
    assert!(k.ran().is_empty(), "adopting ran {:?}", k.ran());

    // After: nothing left to adopt; the deployed VIP is kept and no Kolla
    // action is to run; what differs (the MTUs) is an ordinary change.
    let again = k.run_with(&[], "adopt", &["--yes", "--root", root_arg]);
    assert!(
        text(&again).contains("Nothing to adopt."),
        "{}",
        text(&again)
    );
    let plan = k.ok("plan", &[]);
    assert!(!plan.contains("not aio's"), "{plan}");
    assert!(plan.contains("vip: 192.0.2.50 (deployed"), "{plan}");
    assert!(!plan.contains("actions:"), "{plan}");
    assert!(plan.contains("~ link/dummy1  mtu: 1500 -> 9000"), "{plan}");
    k.apply(&[]);
    assert!(k.ran().is_empty(), "apply ran {:?}", k.ran());
    let merged = k.merged_globals();
    assert_eq!(merged["enable_cinder"], "yes");
    assert_eq!(merged["enable_manila"], "yes");
    assert_eq!(merged["kolla_internal_vip_address"], "192.0.2.50");

    // What was adopted is aio's to delete.
    k.ok("destroy", &["--yes"]);
    let links = sb.links();
    for gone in ["dummy1", "veth-ovs", "veth-br", "v-lbaas", "v-lbaas-vlan"] {
        assert!(!links.contains_key(gone), "{gone} is still there");
    }
    assert_eq!(masquerades(sb), 0);
    assert_eq!(sb.ovsdb.vsctl(&["list-ports", "br-ex"]), "");
}
