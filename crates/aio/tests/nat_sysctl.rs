//! NAT and sysctl, proven by traffic: a guest behind `dummy1` reaches the
//! upstream router only through aio's masquerade rule and forwarding.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Sandbox, change, stderr, topology};
use std::path::PathBuf;

/// The comment on aio's rule.
const COMMENT: &str = "comment \"aio:nat/eth0/10.0.2.0/24\"";

/// Masquerade rules anywhere in the namespace's ruleset.
fn masquerade_rules(sb: &Sandbox) -> usize {
    sb.nft("-a list ruleset")
        .lines()
        .filter(|l| l.contains("masquerade"))
        .count()
}

fn aio_rule_handle(sb: &Sandbox) -> String {
    let listing = sb.nft("-a list chain ip aio postrouting");
    let line = listing
        .lines()
        .find(|l| l.contains("masquerade"))
        .expect("aio's rule");
    line.rsplit("handle ").next().unwrap().trim().to_string()
}

/// Forwarding off in the namespace, behind aio's back.
fn forwarding_off(sb: &Sandbox) {
    sb.host
        .exec(&["sh", "-c", "echo 0 > /proc/sys/net/ipv4/ip_forward"]);
}

fn setup() -> (Sandbox, PathBuf) {
    let sb = Sandbox::new();
    let t = sb.topology("nat.toml", &topology::nat());
    (sb, t)
}

#[test]
fn a_guest_behind_dummy1_reaches_upstream_only_through_nat_and_forwarding() {
    let (sb, t) = setup();
    sb.apply(&t);
    let vm = sb
        .host
        .guest("vm0", Some("dummy1"), "10.0.2.50/24", Some("10.0.2.2"));
    assert!(vm.pings("10.0.2.2"), "the guest cannot reach dummy1");
    assert!(
        vm.pings(aio_sandbox::GATEWAY),
        "the guest cannot reach the upstream router through NAT"
    );

    // Without the rule, upstream cannot answer 10.0.2.50: the ping proves masquerade.
    let handle = aio_rule_handle(&sb);
    sb.nft(&format!("delete rule ip aio postrouting handle {handle}"));
    assert!(
        !vm.pings(aio_sandbox::GATEWAY),
        "reached upstream without NAT: the test proves nothing"
    );
    assert_eq!(sb.plan(&t), vec![change("nat/eth0/10.0.2.0/24", "create")]);
    sb.apply(&t);
    assert!(vm.pings(aio_sandbox::GATEWAY));

    // Without forwarding, neither.
    forwarding_off(&sb);
    assert!(!vm.pings(aio_sandbox::GATEWAY));
    sb.apply(&t);
    assert!(vm.pings(aio_sandbox::GATEWAY));
}

#[test]
fn repeated_applies_keep_exactly_one_rule_and_never_touch_foreign_tables() {
    let (sb, t) = setup();
    sb.nft("add table ip foreign");
    sb.nft("add chain ip foreign post { type nat hook postrouting priority 100 ; }");
    sb.nft("add rule ip foreign post oifname eth0 masquerade");
    for _ in 0..5 {
        sb.apply(&t);
    }
    assert_eq!(
        masquerade_rules(&sb),
        2,
        "aio's one rule and the foreign one"
    );
    let listing = sb.nft("list table ip aio");
    assert!(
        listing.contains(
            "ip saddr 10.0.2.0/24 oifname \"eth0\" masquerade comment \"aio:nat/eth0/10.0.2.0/24\""
        ),
        "{listing}"
    );
    assert!(sb.nft("list table ip foreign").contains("masquerade"));
}

#[test]
fn ip_forward_flipped_back_is_drift_and_repaired() {
    let (sb, t) = setup();
    sb.apply(&t);
    forwarding_off(&sb);
    sb.assert_planned(
        &t,
        "~ sysctl/net.ipv4.ip_forward  value: 0 -> 1",
        &[("sysctl/net.ipv4.ip_forward", "update")],
    );
    sb.apply(&t);
    assert_eq!(sb.sysctl("net.ipv4.ip_forward"), "1");
}

#[test]
fn a_nat_entry_removed_from_the_file_removes_exactly_its_rule() {
    let (sb, t) = setup();
    sb.apply(&t);
    sb.nft("add table ip foreign");
    let without = sb.topology(
        "no-nat.toml",
        &topology::nat().replace(
            "[[nat]]\nsource = \"10.0.2.0/24\"\nout = \"${uplink}\"\n",
            "",
        ),
    );
    assert_eq!(
        sb.plan(&without),
        vec![change("nat/eth0/10.0.2.0/24", "delete")]
    );
    sb.apply(&without);
    let tables = sb.nft("list tables");
    assert!(
        !tables.contains("table ip aio"),
        "aio's empty table is left: {tables}"
    );
    assert!(tables.contains("table ip foreign"));
    assert_eq!(sb.plan(&without), vec![]);
}

#[test]
fn a_sysctl_that_does_not_exist_stops_the_plan() {
    let sb = Sandbox::new();
    let t = sb.topology(
        "bad.toml",
        "version = 1\n[sysctl]\n\"net.ipv4.no_such_knob\" = 1\n",
    );
    let out = sb.aio("plan", &t, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("there is no sysctl net.ipv4.no_such_knob"));
}

#[test]
fn without_a_default_route_auto_uplink_is_a_clear_error() {
    let sb = Sandbox::new();
    sb.ip(&["route", "del", "default"]);
    let t = sb.topology("nat.toml", &topology::nat());
    let out = sb.aio("plan", &t, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("no IPv4 default route") && err.contains("set host.uplink"),
        "{err}"
    );
}

#[test]
fn aio_s_rule_widened_in_place_or_copied_is_drift_and_repaired() {
    let (sb, t) = setup();
    sb.apply(&t);
    // Widened to every source, comment kept: same handle, other match.
    let handle = aio_rule_handle(&sb);
    sb.nft(&format!(
        "replace rule ip aio postrouting handle {handle} ip saddr 0.0.0.0/0 oifname eth0 masquerade {COMMENT}"
    ));
    assert_eq!(sb.plan(&t), vec![change("nat/eth0/10.0.2.0/24", "update")]);
    sb.apply(&t);
    assert_eq!(sb.plan(&t), vec![]);
    let listing = sb.nft("list table ip aio");
    assert!(
        listing.contains("ip saddr 10.0.2.0/24 oifname \"eth0\" masquerade"),
        "{listing}"
    );
    assert_eq!(masquerade_rules(&sb), 1);

    // A copy of aio's rule in its table: drift, back to one.
    sb.nft(&format!(
        "add rule ip aio postrouting ip saddr 10.0.2.0/24 oifname eth0 masquerade {COMMENT}"
    ));
    let text = sb.plan_text(&t);
    assert!(
        text.contains("~ nat/eth0/10.0.2.0/24  rules: 2 -> 1"),
        "{text}"
    );
    sb.apply(&t);
    assert_eq!(masquerade_rules(&sb), 1);
    assert_eq!(sb.plan(&t), vec![]);
}

#[test]
fn destroy_deletes_aio_s_rules_and_keeps_a_table_holding_someone_else_s() {
    let (sb, t) = setup();
    sb.apply(&t);
    sb.nft("add rule ip aio postrouting oifname eth0 counter");
    let out = sb.aio("destroy", &t, &["--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listing = sb.nft("list table ip aio");
    assert!(
        !listing.contains("masquerade"),
        "aio's rule is left: {listing}"
    );
    assert!(
        listing.contains("counter"),
        "the operator's rule went: {listing}"
    );
}
