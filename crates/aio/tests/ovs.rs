//! Open vSwitch through OVSDB, against a private ovsdb-server per test (and
//! ovs-vswitchd with the userspace datapath where traffic must flow).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aio_sandbox::ovs::Vswitchd;
use common::{Sandbox, change, poll, stderr, stdout};
use std::path::PathBuf;
use std::time::Duration;

/// A sandbox whose database holds `br-ex`, and the reference topology pointed at it.
fn with_br_ex() -> (Sandbox, PathBuf) {
    let sb = Sandbox::new();
    let t = sb.reference();
    (sb, t)
}

#[test]
fn the_octavia_port_is_added_with_its_tag_and_then_converged() {
    let (sb, t) = with_br_ex();
    let db = &sb.ovsdb;
    let plan = sb.plan_text(&t);
    let line = plan
        .lines()
        .find(|l| l.contains("ovs-port/br-ex/v-lbaas-vlan"))
        .unwrap_or_else(|| panic!("{plan}"));
    assert!(
        line.trim_start()
            .starts_with("+ ovs-port/br-ex/v-lbaas-vlan")
            && line.contains("tag=1718"),
        "{line}"
    );
    sb.apply(&t);
    assert_eq!(db.vsctl(&["get", "port", "v-lbaas-vlan", "tag"]), "1718");
    assert_eq!(
        db.vsctl(&["get", "port", "v-lbaas-vlan", "external_ids:aio-owner"]),
        "aio"
    );
    assert_eq!(sb.plan(&t), vec![]);
}

#[test]
fn a_wrong_tag_and_a_deleted_port_are_repaired_and_a_hand_made_port_is_left_alone() {
    let (sb, t) = with_br_ex();
    let db = &sb.ovsdb;
    sb.apply(&t);
    db.vsctl(&["add-port", "br-ex", "handmade", "tag=7"]);
    db.vsctl(&["set", "port", "v-lbaas-vlan", "tag=99"]);
    sb.assert_planned(
        &t,
        "~ ovs-port/br-ex/v-lbaas-vlan  tag: 99 -> 1718",
        &[("ovs-port/br-ex/v-lbaas-vlan", "update")],
    );
    sb.apply(&t);
    assert_eq!(db.vsctl(&["get", "port", "v-lbaas-vlan", "tag"]), "1718");

    db.vsctl(&["del-port", "br-ex", "v-lbaas-vlan"]);
    assert_eq!(
        sb.plan(&t),
        vec![change("ovs-port/br-ex/v-lbaas-vlan", "create")]
    );
    sb.apply(&t);
    assert_eq!(db.vsctl(&["get", "port", "v-lbaas-vlan", "tag"]), "1718");
    assert_eq!(sb.plan(&t), vec![]);
    assert_eq!(db.vsctl(&["get", "port", "handmade", "tag"]), "7");
}

#[test]
fn an_aio_bridge_with_two_ports_is_pruned_but_a_provided_bridge_never_is() {
    let (sb, _) = with_br_ex();
    let db = &sb.ovsdb;
    // Internal ports: a system port must name an interface that exists.
    let head = format!(
        "version = 1\n[ovs]\ndb = \"{}\"\n[ovs.bridges.br-ex]\nprovided_by = \"kolla\"\n\
         [kolla]\nvip = \"192.0.2.200\"\nactions = []\nvenv = \"{}\"\nconfig_dir = \"{}\"\n",
        db.unix(),
        aio_sandbox::KOLLA_VENV,
        sb.state.path().join("kolla-etc").display()
    );
    let with = sb.topology(
        "with.toml",
        &format!("{head}[ovs.bridges.br-aio]\nfail_mode = \"standalone\"\n[ovs.bridges.br-aio.ports.p1]\ntype = \"internal\"\ntag = 5\n[ovs.bridges.br-aio.ports.p2]\ntype = \"internal\"\ntrunks = [20, 10]\n"),
    );
    sb.apply(&with);
    assert_eq!(db.vsctl(&["list-ports", "br-aio"]), "p1\np2");
    assert_eq!(db.vsctl(&["get", "port", "p2", "trunks"]), "[10, 20]");
    assert_eq!(sb.plan(&with), vec![]);

    let without = sb.topology("without.toml", &head);
    assert_eq!(
        sb.plan(&without),
        vec![
            change("ovs-port/br-aio/p1", "delete"),
            change("ovs-port/br-aio/p2", "delete"),
            change("ovs-bridge/br-aio", "delete")
        ]
    );
    sb.apply(&without);
    assert_eq!(db.vsctl(&["list-br"]), "br-ex");
    assert_eq!(sb.plan(&without), vec![]);
}

#[test]
fn a_port_on_a_provided_bridge_that_does_not_exist_yet_waits_and_links_still_converge() {
    let sb = Sandbox::new();
    let db = &sb.ovsdb;
    db.vsctl(&["del-br", "br-ex"]);
    let t = sb.reference();
    let out = sb.aio("plan", &t, &["--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out)
            .contains("… ovs-port/br-ex/v-lbaas-vlan  waiting: bridge br-ex does not exist yet"),
        "{}",
        stdout(&out)
    );
    let applied = sb.apply(&t);
    assert!(
        applied.contains("1 waiting for other resources"),
        "{applied}"
    );
    assert!(sb.links().contains_key("v-lbaas-vlan"));
    db.vsctl(&["add-br", "br-ex"]);
    assert_eq!(
        sb.plan(&t),
        vec![change("ovs-port/br-ex/v-lbaas-vlan", "create")]
    );
}

#[test]
fn a_dead_ovsdb_fails_plan_and_apply_naming_the_socket_while_links_converge() {
    let (mut sb, t) = with_br_ex();
    sb.apply(&t);
    // The host runs; then OVSDB dies and a link drifts.
    sb.ovsdb.kill();
    sb.ip(&["link", "del", "veth-ovs"]);
    let socket = sb.ovsdb.unix();
    for command in ["plan", "apply"] {
        let out = sb.aio(command, &t, &["--yes"][..usize::from(command == "apply")]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{command}: {err}");
        assert!(
            err.contains(socket.trim_start_matches("unix:")),
            "{command}: {err}"
        );
        // A socket nobody listens on is refused at once: no wait for an
        // answer that cannot come.
        assert!(
            err.contains("cannot connect") && !err.contains("no answer within"),
            "{command}: {err}"
        );
    }
    let links = sb.links();
    assert!(
        links.contains_key("veth-ovs") && links.contains_key("veth-br"),
        "links did not converge"
    );
}

#[test]
fn tagged_access_ports_carry_traffic_within_their_vlan_only() {
    let sb = Sandbox::new();
    let db = &sb.ovsdb;
    let _switch = Vswitchd::start(&sb.ns, db);
    let guests: Vec<_> = [
        ("g1", "10.10.0.1/24"),
        ("g2", "10.10.0.2/24"),
        ("g3", "10.10.0.3/24"),
    ]
    .iter()
    .map(|(n, a)| sb.host.guest(n, None, a, None))
    .collect();
    let t = sb.topology(
        "vlans.toml",
        &format!(
            "version = 1\n[ovs]\ndb = \"{}\"\n[ovs.bridges.br-test]\ndatapath_type = \"netdev\"\n\
             [ovs.bridges.br-test.ports.g1]\ntag = 10\n[ovs.bridges.br-test.ports.g2]\ntag = 10\n[ovs.bridges.br-test.ports.g3]\ntag = 20\n",
            db.unix()
        ),
    );
    sb.apply(&t);
    // ovs-vswitchd picks the ports up from the database within moments.
    poll::wait_until(Duration::from_secs(10), "g1 reaching g2 on VLAN 10", || {
        guests[0].pings("10.10.0.2")
    });
    assert!(!guests[0].pings("10.10.0.3"), "VLAN 10 reached VLAN 20");
    db.vsctl(&["set", "port", "g3", "tag=10"]);
    assert_eq!(sb.plan(&t), vec![change("ovs-port/br-test/g3", "update")]);
}
