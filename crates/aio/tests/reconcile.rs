//! Plan and apply against the real kernel, inside namespaces each test makes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Sandbox, change, stderr, stdout};

/// The reference topology applied, and the plan empty again.
fn converged() -> Sandbox {
    let sb = Sandbox::new();
    sb.apply(&sb.reference());
    assert_eq!(sb.plan(&sb.reference()), vec![]);
    sb
}

#[test]
fn reference_topology_from_empty_to_converged() {
    let sb = Sandbox::new();
    let uplink_before = sb.uplink();
    let reference = &sb.reference();

    let out = sb.aio("plan", reference, &["--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(2), "changes pending");
    let text = stdout(&out);
    for id in [
        "link/dummy1",
        "link/veth-ovs",
        "link/veth-br",
        "link/v-lbaas-vlan",
        "link/v-lbaas",
        "address/dummy1/10.0.2.2/24",
        "address/v-lbaas/172.18.255.254/16",
        "nat/eth0/10.0.2.0/24",
        "ovs-port/br-ex/v-lbaas-vlan",
    ] {
        let listed = text
            .lines()
            .any(|l| l.split_whitespace().take(2).eq(["+", id]));
        assert!(listed, "{id} missing from:\n{text}");
    }
    assert!(
        text.contains("uplink: eth0") && text.contains("uplink_address: 192.0.2.10"),
        "{text}"
    );
    assert!(
        text.contains("~ sysctl/net.ipv4.ip_forward  value: 0 -> 1"),
        "{text}"
    );
    assert!(
        text.contains("9 to create, 2 to change, 0 to delete"),
        "{text}"
    );

    sb.apply(reference);
    let links = sb.links();
    assert_eq!(links["dummy1"]["linkinfo"]["info_kind"], "bridge");
    for name in ["dummy1", "veth-ovs", "veth-br", "v-lbaas-vlan", "v-lbaas"] {
        let flags = links[name]["flags"].as_array().unwrap();
        assert!(
            flags.iter().any(|f| f == "UP"),
            "{name} is not up: {flags:?}"
        );
    }
    assert_eq!(links["veth-ovs"]["linkinfo"]["info_kind"], "veth");
    assert_eq!(links["veth-ovs"]["link"], "veth-br");
    assert_eq!(links["v-lbaas"]["link"], "v-lbaas-vlan");
    assert_eq!(links["veth-br"]["master"], "dummy1");
    assert_eq!(sb.addresses("dummy1"), ["10.0.2.2/24"]);
    assert_eq!(sb.addresses("v-lbaas"), ["172.18.255.254/16"]);

    let again = sb.aio("plan", reference, &["--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    assert_eq!(sb.uplink(), uplink_before, "the uplink changed");
}

#[test]
fn a_deleted_veth_is_recreated() {
    let sb = converged();
    sb.ip(&["link", "del", "veth-ovs"]);
    assert_eq!(
        sb.plan(&sb.reference()),
        vec![
            change("link/veth-ovs", "create"),
            change("link/veth-br", "create")
        ]
    );
    sb.apply(&sb.reference());
    assert_eq!(sb.plan(&sb.reference()), vec![]);
    assert_eq!(sb.links()["veth-br"]["master"], "dummy1");
}

#[test]
fn a_removed_address_is_added_back() {
    let sb = converged();
    sb.ip(&["addr", "del", "172.18.255.254/16", "dev", "v-lbaas"]);
    assert_eq!(
        sb.plan(&sb.reference()),
        vec![change("address/v-lbaas/172.18.255.254/16", "create")]
    );
    sb.apply(&sb.reference());
    assert_eq!(sb.plan(&sb.reference()), vec![]);
}

#[test]
fn a_link_set_down_is_set_up() {
    let sb = converged();
    sb.ip(&["link", "set", "v-lbaas", "down"]);
    let text = sb.plan_text(&sb.reference());
    assert!(text.contains("~ link/v-lbaas  state: down -> up"), "{text}");
    assert!(
        text.contains("0 to create, 1 to change, 0 to delete"),
        "{text}"
    );
    sb.apply(&sb.reference());
    assert_eq!(sb.plan(&sb.reference()), vec![]);
}

#[test]
fn a_lost_master_is_restored() {
    let sb = converged();
    sb.ip(&["link", "set", "veth-br", "nomaster"]);
    assert_eq!(
        sb.plan(&sb.reference()),
        vec![change("link/veth-br", "update")]
    );
    sb.apply(&sb.reference());
    assert_eq!(sb.links()["veth-br"]["master"], "dummy1");
    assert_eq!(sb.plan(&sb.reference()), vec![]);
}

#[test]
fn a_changed_mtu_is_put_back() {
    let sb = Sandbox::new();
    let t = sb.topology(
        "mtu.toml",
        "version = 1\n[interfaces.br0]\ntype = \"bridge\"\nmtu = 1400\n",
    );
    sb.apply(&t);
    assert_eq!(sb.links()["br0"]["mtu"], 1400);
    sb.ip(&["link", "set", "br0", "mtu", "1300"]);
    sb.assert_planned(
        &t,
        "~ link/br0  mtu: 1300 -> 1400",
        &[("link/br0", "update")],
    );
    sb.apply(&t);
    assert_eq!(sb.links()["br0"]["mtu"], 1400);
    assert_eq!(sb.plan(&t), vec![]);
}

#[test]
fn a_foreign_address_stays_and_is_not_drift() {
    let sb = converged();
    sb.ip(&["addr", "add", "10.0.2.99/24", "dev", "dummy1"]);
    assert_eq!(sb.plan(&sb.reference()), vec![]);
    let out = sb.aio("apply", &sb.reference(), &["--yes"]);
    assert!(out.status.success());
    assert_eq!(sb.addresses("dummy1"), ["10.0.2.2/24", "10.0.2.99/24"]);
}

#[test]
fn an_interface_removed_from_the_file_is_pruned() {
    let sb = converged();
    let reference = std::fs::read_to_string(sb.reference()).unwrap();
    let start = reference.find("[interfaces.v-lbaas-vlan]").unwrap();
    let end = reference.find("[ovs]").unwrap();
    // What names the pair goes with it: a topology names only interfaces it
    // declares or that exist.
    let port = reference
        .find("[ovs.bridges.br-ex.ports.v-lbaas-vlan]")
        .unwrap();
    let port_end = port + reference[port..].find("\n\n").unwrap();
    let text = format!(
        "{}{}{}",
        &reference[..start],
        &reference[end..port],
        &reference[port_end..]
    )
    .replace("octavia_network_interface = \"v-lbaas\"\n", "");
    let without = sb.topology("without-lbaas.toml", &text);
    assert_eq!(
        sb.plan(&without),
        vec![
            change("address/v-lbaas/172.18.255.254/16", "delete"),
            change("link/v-lbaas", "delete"),
            // The port goes before the link it is.
            change("ovs-port/br-ex/v-lbaas-vlan", "delete"),
            change("link/v-lbaas-vlan", "delete"),
            // Kolla no longer reads v-lbaas (octavia_network_interface): its inputs changed.
            change("kolla/deployment", "update"),
        ]
    );
    sb.apply(&without);
    let links = sb.links();
    assert!(!links.contains_key("v-lbaas") && !links.contains_key("v-lbaas-vlan"));
    assert!(links.contains_key("dummy1") && links.contains_key("veth-ovs"));
    assert_eq!(sb.plan(&without), vec![]);
}

#[test]
fn a_pre_existing_foreign_bridge_is_never_deleted() {
    let sb = Sandbox::new();
    sb.ip(&["link", "add", "br-foreign", "type", "bridge"]);
    let with = sb.topology(
        "with.toml",
        "version = 1\n[interfaces.br-foreign]\ntype = \"bridge\"\naddresses = [\"10.9.0.1/24\"]\n",
    );
    assert_eq!(
        sb.plan(&with),
        vec![
            change("link/br-foreign", "update"),
            change("address/br-foreign/10.9.0.1/24", "create")
        ],
        "the bridge exists: only its state and the address change"
    );
    sb.apply(&with);
    let without = sb.topology("without.toml", "version = 1\n");
    assert_eq!(
        sb.plan(&without),
        vec![change("address/br-foreign/10.9.0.1/24", "delete")],
        "only what aio added"
    );
    sb.apply(&without);
    assert!(
        sb.links().contains_key("br-foreign"),
        "the foreign bridge was deleted"
    );
    assert_eq!(sb.addresses("br-foreign"), Vec::<String>::new());
    assert_eq!(sb.plan(&without), vec![]);
}

#[test]
fn a_foreign_link_of_the_wrong_kind_is_in_the_way() {
    let sb = Sandbox::new();
    sb.ip(&[
        "link", "add", "dummy1", "type", "veth", "peer", "name", "other",
    ]);
    let before = sb.everything();
    let out = sb.aio("apply", &sb.reference(), &["--yes"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("link/dummy1 is in the way") && err.contains("aio did not create it"),
        "{err}"
    );
    assert_eq!(
        sb.everything(),
        before,
        "a failed plan changed the namespace"
    );
}

#[test]
fn apply_without_a_terminal_refuses_and_changes_nothing() {
    let sb = Sandbox::new();
    let before = sb.everything();
    let out = sb.aio("apply", &sb.reference(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--yes"));
    assert_eq!(sb.everything(), before);
}
