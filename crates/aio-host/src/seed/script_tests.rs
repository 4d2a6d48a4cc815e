//! Which script lines the topology accounts for, and which it does not.

use super::*;
use aio_topology::Facts;

const TOPOLOGY: &str = "version = 1\n\
    [interfaces.dummy1]\ntype = \"bridge\"\naddresses = [\"10.0.2.2/24\"]\nmtu = 9000\n\
    [interfaces.veth-ovs]\ntype = \"veth\"\npeer = \"veth-br\"\n\
    [interfaces.veth-br]\nmaster = \"dummy1\"\n\
    [[nat]]\nsource = \"10.0.2.0/24\"\nout = \"${uplink}\"\n\
    [[nat]]\nsource = \"10.0.3.0/24\"\nout = \"eth1\"\n";

fn judge(script: &str) -> Reading {
    let topology = aio_topology::parse_str("t.toml", TOPOLOGY).unwrap();
    let facts = Facts {
        uplink: Some("eth0".into()),
        ..Facts::default()
    };
    read(
        script,
        Declared {
            topology: &topology,
            facts: &facts,
        },
        false,
    )
}

const LOOKUP: &str = "NIC=$(ip -o -4 route show to default | awk '{print $5}')";

#[test]
fn what_the_topology_declares_is_accounted_for() {
    for line in [
        "ip link add dummy1 type bridge",
        "sudo ip link add name dummy1 type bridge",
        "/usr/sbin/ip link add veth-ovs type veth peer name veth-br",
        "ip link add veth-br type veth peer veth-ovs",
        "ip link set dummy1 up",
        "ip link set dev veth-br master dummy1 up",
        "ip link set dummy1 mtu 9000",
        "ip addr add 10.0.2.2/24 dev dummy1",
        "ip address add 10.0.2.2/24 dev dummy1 # the gateway",
        "iptables -t nat -A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE",
        "iptables -A POSTROUTING -t nat -o \"$NIC\" -s 10.0.2.0/24 -j MASQUERADE",
        "iptables -t nat -A POSTROUTING -s 10.0.3.0/24 -o eth1 -j MASQUERADE",
    ] {
        let script = format!("#!/bin/bash\nset -e\n{LOOKUP}\n\n{line}\nexit 0\n");
        let reading = judge(&script);
        assert_eq!(
            (reading.accounted, reading.first_unaccounted),
            (1, None),
            "{line}"
        );
    }
}

#[test]
fn anything_else_is_not() {
    for (line, why) in [
        ("ip link add dummy2 type bridge", "no such interface dummy2"),
        (
            "ip link add veth-ovs type veth peer name other",
            "`type veth peer name other` for veth-ovs",
        ),
        (
            "ip link add veth-br type bridge",
            "`type bridge` for veth-br",
        ),
        (
            "ip link add dummy1 type bridge stp_state 1",
            "type bridge stp_state 1",
        ),
        ("ip link set dummy1 down", "`down`"),
        ("ip link set veth-br master other", "`master other`"),
        ("ip link set dummy1 mtu 1500", "`mtu 1500`"),
        ("ip link set eth0 up", "no such interface eth0"),
        ("ip link del dummy1", "is not one of the commands"),
        (
            "ip addr add 10.0.2.3/24 dev dummy1",
            "no address 10.0.2.3/24 on dummy1",
        ),
        (
            "iptables -t nat -A POSTROUTING -s 10.8.0.0/24 -o tun0 -j MASQUERADE",
            "10.8.0.0/24 out of tun0",
        ),
        (
            "iptables -t nat -A POSTROUTING -s 10.0.2.0/24 -o eth1 -j MASQUERADE",
            "10.0.2.0/24 out of eth1",
        ),
        (
            "iptables -t nat -A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE --random",
            "--random",
        ),
        (
            "iptables -t nat -A POSTROUTING ! -s 10.0.2.0/24 -o eth0 -j MASQUERADE",
            "is not one of the commands",
        ),
        (
            "iptables -t nat -A POSTROUTING -s 10.0.2.0/24 -o eth0 -p tcp --dport 80 -j MASQUERADE",
            "--dport",
        ),
        (
            "iptables -t nat -A POSTROUTING -s 10.0.2.0/24 -o $OTHER -j MASQUERADE",
            "$OTHER is not set by the uplink lookup",
        ),
        ("ip link add dummy1 type bridge; reboot", "shell syntax"),
        ("ip link add dummy1 type bridge || true", "shell syntax"),
        ("echo hello", "is not one of the commands"),
        (
            "sudo -u nobody ip link set dummy1 up",
            "is not one of the commands",
        ),
    ] {
        let script = format!("#!/bin/sh\n{LOOKUP}\nip link set dummy1 up\n{line}\n");
        let reading = judge(&script);
        let (at, text, found) = reading.first_unaccounted.clone().unwrap_or_else(|| {
            panic!("{line} was accounted for");
        });
        assert_eq!((at, text.as_str()), (4, line), "{line}");
        assert!(found.to_string().contains(why), "{line}: {found}");
        assert_eq!(reading.accounted, 1, "{line}");
    }
}

#[test]
fn a_script_for_another_interpreter_is_not_a_shell_script() {
    let reading = judge("#!/usr/bin/python3\nip link add dummy1 type bridge\n");
    assert!(matches!(
        reading.first_unaccounted,
        Some((1, _, Unaccounted::NotShell(_)))
    ));
    let reading = judge("ip link add dummy1 type bridge\n");
    assert!(matches!(
        reading.first_unaccounted,
        Some((1, _, Unaccounted::NotShell(_)))
    ));
    let given_to_a_shell = read(
        "ip link add dummy1 type bridge\n",
        Declared {
            topology: &aio_topology::parse_str("t.toml", TOPOLOGY).unwrap(),
            facts: &Facts::default(),
        },
        true,
    );
    assert_eq!(given_to_a_shell.first_unaccounted, None);
}

#[test]
fn the_variable_must_be_set_before_it_is_used() {
    let reading = judge(&format!(
        "#!/bin/sh\niptables -t nat -A POSTROUTING -s 10.0.2.0/24 -o $NIC -j MASQUERADE\n{LOOKUP}\n"
    ));
    assert!(matches!(
        reading.first_unaccounted,
        Some((2, _, Unaccounted::Variable(_)))
    ));
}
