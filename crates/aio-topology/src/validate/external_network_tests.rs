#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::validate::testing::{PLUMBING, errors, line_of, only_error, valid};

const HEADER: &str = "[neutron.external_network]";

/// `plumbing` with `[neutron.external_network]` holding `keys`.
fn on(plumbing: &str, keys: &str) -> String {
    format!("{plumbing}{HEADER}\n{keys}")
}

fn external(keys: &str) -> String {
    on(PLUMBING, keys)
}

/// Where `key = ` is written in `text`, `LINE:COL` of its value.
fn value_at(text: &str, key: &str) -> String {
    format!("{}:{}", line_of(text, &format!("{key} =")), key.len() + 4)
}

fn table_at(text: &str) -> String {
    format!("{}:1", line_of(text, HEADER))
}

#[test]
fn the_reference_plumbing_gives_the_whole_network() {
    let t = valid(&external(""));
    let b = t.external_bridge().unwrap();
    assert_eq!(
        (b.subnet().to_string(), b.gateway().to_string()),
        ("10.0.2.0/24".into(), "10.0.2.2".into())
    );
    valid(&external(
        "cidr = \"10.0.2.0/24\"\ngateway = \"10.0.2.2\"\nallocation_pool = \"10.0.2.3-10.0.2.254\"\n",
    ));
}

#[test]
fn what_cannot_be_derived_is_said_at_the_table_with_the_step_that_failed() {
    let cases = [
        (
            PLUMBING.replace("neutron_external_interface = \"veth-ovs\"\n", ""),
            "[kolla.globals] names no neutron_external_interface (or only through Jinja)",
            "set neutron_external_interface in [kolla.globals]",
        ),
        (
            PLUMBING.replace("\"veth-ovs\"", "\"dummy1\""),
            "neutron_external_interface \"dummy1\" is not a veth end the file declares",
            "declare \"dummy1\" with type = \"veth\"",
        ),
        (
            PLUMBING.replace("master = \"dummy1\"\n", ""),
            "\"veth-br\", the veth peer of \"veth-ovs\", has no `master`",
            "set master = \"BRIDGE\" in [interfaces.veth-br]",
        ),
        (
            PLUMBING.replace("addresses = [\"10.0.2.2/24\"]\n", ""),
            "\"dummy1\", the master of \"veth-br\", has no IPv4 address in the file",
            "give \"dummy1\" an IPv4 address",
        ),
    ];
    for (plumbing, why, fix) in cases {
        let text = on(&plumbing, "");
        let e = only_error(&text);
        assert_eq!(e.at, table_at(&text));
        assert_eq!(
            e.message,
            format!("the external network's `cidr` and `gateway` cannot be derived: {why}")
        );
        assert!(
            e.help.starts_with("declare `cidr` and `gateway` here, or ") && e.help.contains(fix),
            "{}",
            e.help
        );
        // Half declared: what is still missing is named.
        let e = only_error(&on(&plumbing, "cidr = \"10.0.2.0/24\"\n"));
        assert!(
            e.message
                .starts_with("the external network's `gateway` cannot")
        );
        // Both declared: nothing to derive.
        valid(&on(
            &plumbing,
            "cidr = \"10.0.2.0/24\"\ngateway = \"10.0.2.1\"\n",
        ));
    }
    let text = "version = 1\n[[nat]]\nsource = \"203.0.113.0/24\"\nout = \"eth0\"\n\
                [neutron]\nclouds_yaml = \"/etc/kolla/clouds.yaml\"\n[neutron.external_network]\n";
    let e = only_error(text);
    assert_eq!(e.at, "7:1");
    assert!(
        e.message
            .ends_with("there is no [kolla] table to name neutron_external_interface")
    );
    valid(&format!(
        "{text}cidr = \"203.0.113.0/24\"\ngateway = \"203.0.113.1\"\n"
    ));
}

#[test]
fn a_declared_cidr_lies_inside_the_bridges_subnet_and_holds_its_address() {
    let text = external("cidr = \"10.0.3.0/24\"\n");
    let e = only_error(&text);
    assert_eq!(e.at, value_at(&text, "cidr"));
    assert_eq!(
        e.message,
        "cidr 10.0.3.0/24 is not inside 10.0.2.0/24, the subnet of \"dummy1\" behind neutron_external_interface \"veth-ovs\""
    );
    assert_eq!(
        e.help,
        "write \"10.0.2.0/24\" or a network inside it, or leave `cidr` out: it is derived"
    );
    assert_eq!(only_error(&external("cidr = \"10.0.0.0/16\"\n")).at, e.at);

    let text = external("cidr = \"10.0.2.128/25\"\n");
    let e = only_error(&text);
    assert_eq!(e.at, value_at(&text, "cidr"));
    assert_eq!(
        e.message,
        "cidr 10.0.2.128/25 does not hold the gateway 10.0.2.2, the address of \"dummy1\""
    );
    valid(&external("cidr = \"10.0.2.0/25\"\n"));
}

#[test]
fn the_gateway_is_the_bridges_address_inside_the_cidr() {
    let text = external("gateway = \"10.0.2.1\"\n");
    let e = only_error(&text);
    assert_eq!(e.at, value_at(&text, "gateway"));
    assert_eq!(
        e.message,
        "gateway 10.0.2.1 is not an address of \"dummy1\" (10.0.2.2)"
    );
    assert_eq!(
        e.help,
        "write gateway = \"10.0.2.2\", or leave it out: \"dummy1\" is the one thing on the outside network that answers and NATs"
    );
    let text = external("cidr = \"10.0.2.0/25\"\ngateway = \"10.0.2.200\"\n");
    let e = only_error(&text);
    assert_eq!(e.at, value_at(&text, "gateway"));
    assert_eq!(
        e.message,
        "gateway 10.0.2.200 is not a host address of cidr 10.0.2.0/25"
    );
    // A second address of the bridge answers too.
    let second = PLUMBING.replace("[\"10.0.2.2/24\"]", "[\"10.0.2.2/24\", \"10.0.2.3/24\"]");
    valid(&on(&second, "gateway = \"10.0.2.3\"\n"));
}

#[test]
fn the_pool_stays_inside_the_cidr_and_clear_of_the_hosts_addresses() {
    let cases = [
        (
            "10.0.2.200-10.0.3.10",
            "reaches 10.0.3.10, outside of cidr 10.0.2.0/24",
        ),
        (
            "10.0.2.0-10.0.2.10",
            "reaches 10.0.2.0, the network or broadcast address of cidr 10.0.2.0/24",
        ),
        (
            "10.0.2.200-10.0.2.255",
            "reaches 10.0.2.255, the network or broadcast address of cidr 10.0.2.0/24",
        ),
        (
            "10.0.2.1-10.0.2.254",
            "holds 10.0.2.2 (the address of \"dummy1\")",
        ),
    ];
    for (pool, problem) in cases {
        let text = external(&format!("allocation_pool = \"{pool}\"\n"));
        let e = only_error(&text);
        assert_eq!(e.at, value_at(&text, "allocation_pool"), "{pool}");
        assert_eq!(e.message, format!("allocation_pool {pool} {problem}"));
        assert!(
            e.help
                .contains("e.g. \"10.0.2.128-10.0.2.254\", or leave allocation_pool out"),
            "{}",
            e.help
        );
    }
    // Every address the file gives the host counts: another interface's, the VIP.
    let text = PLUMBING
        .replace(
            "\"172.18.255.254/16\"",
            "\"172.18.255.254/16\", \"10.0.3.1/24\"",
        )
        .replace("\"192.0.2.250\"", "\"10.0.2.50\"");
    let e = only_error(&on(
        &text,
        "cidr = \"10.0.2.0/24\"\nallocation_pool = \"10.0.2.10-10.0.2.100\"\n",
    ));
    assert_eq!(
        e.message,
        "allocation_pool 10.0.2.10-10.0.2.100 holds 10.0.2.50 (Kolla's vip)"
    );
    valid(&external("allocation_pool = \"10.0.2.3-10.0.2.254\"\n"));
}

#[test]
fn a_declared_gateway_is_kept_out_of_the_pool_without_a_bridge() {
    let plumbing = PLUMBING.replace("master = \"dummy1\"\n", "");
    let keys =
        "cidr = \"10.0.2.0/24\"\ngateway = \"10.0.2.1\"\nallocation_pool = \"10.0.2.1-10.0.2.9\"\n";
    let e = only_error(&on(&plumbing, keys));
    assert_eq!(
        e.message,
        "allocation_pool 10.0.2.1-10.0.2.9 holds 10.0.2.2 (the address of \"dummy1\"), 10.0.2.1 (the gateway)"
    );
    // A subnet whose upper half the host fills has no pool to derive.
    let keys = "cidr = \"10.0.2.0/30\"\ngateway = \"10.0.2.2\"\n";
    let text = on(
        &plumbing.replace("\"10.0.2.0/24\"", "\"10.0.2.0/30\""),
        keys,
    );
    let e = only_error(&text);
    assert_eq!(e.at, table_at(&text));
    assert_eq!(
        e.message,
        "no allocation pool can be derived: the upper half of 10.0.2.0/30 has no address the host does not use"
    );
}

#[test]
fn the_external_network_is_masqueraded_or_floating_ips_reach_nothing() {
    let without = PLUMBING.replace("[[nat]]\nsource = \"10.0.2.0/24\"\nout = \"eth0\"\n", "");
    let text = on(&without, "");
    let e = only_error(&text);
    assert_eq!(e.at, table_at(&text));
    assert_eq!(
        e.message,
        "no [[nat]] masquerades the external network 10.0.2.0/24: floating IPs would not reach the internet"
    );
    assert_eq!(
        e.help,
        "add [[nat]] with source = \"10.0.2.0/24\" and out = \"${uplink}\""
    );
    let narrower = PLUMBING.replace("source = \"10.0.2.0/24\"", "source = \"10.0.2.0/25\"");
    assert_eq!(errors(&on(&narrower, "")).len(), 1);
    valid(&on(&narrower, "cidr = \"10.0.2.0/25\"\n"));
    let wider = PLUMBING.replace("source = \"10.0.2.0/24\"", "source = \"10.0.0.0/16\"");
    valid(&on(&wider, ""));
    // Without [neutron.external_network], nothing asks for it.
    valid(&format!("{without}[neutron]\n"));
}
