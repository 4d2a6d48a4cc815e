//! Topologies that would fail only later (a kernel refusing a second
//! route, a duplicate resource, a socket that cannot be found) are refused
//! when the file is read, each at the line and column that says it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// Each error of `text` as `(line, column, message and help)`; none if valid.
fn errors(text: &str) -> Vec<(usize, usize, String)> {
    match aio_topology::parse_str("t.toml", text) {
        Ok(_) => Vec::new(),
        Err(d) => d
            .items
            .iter()
            .map(|item| {
                let (line, col) = d.file.line_col(item.span.start);
                let help = item.help.clone().unwrap_or_default();
                (line, col, format!("{} / {help}", item.message))
            })
            .collect(),
    }
}

/// `text` is refused with exactly one error, at `line:col`, saying every one of `words`.
#[track_caller]
fn refused_at(text: &str, line: usize, col: usize, words: &[&str]) {
    let errors = errors(text);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let (l, c, said) = &errors[0];
    assert_eq!((*l, *c), (line, col), "{said}");
    for w in words {
        assert!(said.contains(w), "no `{w}` in: {said}");
    }
}

/// Bridges of these names, each with its addresses (the items of a TOML
/// array), one after the other.
fn bridges(each: &[(&str, &str)]) -> String {
    each.iter()
        .fold(String::from("version = 1\n"), |text, (name, addresses)| {
            text + &format!("[interfaces.{name}]\ntype = \"bridge\"\naddresses = [{addresses}]\n")
        })
}

#[test]
fn two_interfaces_on_one_subnet_are_refused_at_the_second_naming_the_first() {
    let text = &bridges(&[("br-a", r#""10.0.2.2/24""#), ("br-b", r#""10.0.2.3/24""#)]);
    refused_at(
        text,
        7,
        14,
        &["10.0.2.3/24", "10.0.2.2/24", "\"br-a\"", "10.0.2.0/24"],
    );
}

#[test]
fn a_subnet_inside_another_interfaces_subnet_is_refused_either_way_round() {
    let wide_first = &bridges(&[
        ("a", r#""10.0.0.1/16""#),
        ("b", r#""192.0.2.1/24", "10.0.5.1/24""#),
    ]);
    refused_at(
        wide_first,
        7,
        30,
        &["10.0.5.1/24", "10.0.0.1/16", "\"a\"", "10.0.5.0/24"],
    );
    let narrow_first = &bridges(&[("a", r#""10.0.5.1/24""#), ("b", r#""10.0.0.1/16""#)]);
    refused_at(
        narrow_first,
        7,
        14,
        &["10.0.0.1/16", "10.0.5.1/24", "\"a\""],
    );
    let v6 = &bridges(&[("a", r#""fd00:1::1/64""#), ("b", r#""fd00:1::2/64""#)]);
    refused_at(v6, 7, 14, &["fd00:1::2/64", "\"a\""]);
}

#[test]
fn separate_subnets_and_two_addresses_of_one_interface_are_taken() {
    let text = &bridges(&[
        ("a", r#""10.0.2.2/24", "10.0.2.3/24""#),
        ("b", r#""10.0.3.1/24", "fd00::1/64""#),
        ("c", r#""10.0.4.1/32", "fd00:1::1/64""#),
    ]);
    assert_eq!(errors(text), Vec::new());
}

#[test]
fn one_address_on_two_interfaces_is_said_once() {
    let text = &bridges(&[("a", r#""10.0.2.2/24""#), ("b", r#""10.0.2.2/25""#)]);
    refused_at(text, 7, 14, &["already the address of \"a\""]);
}

#[test]
fn an_address_listed_twice_on_one_interface_is_refused_at_the_second() {
    let text = &bridges(&[("br0", r#""10.0.2.2/24", "10.0.2.2/24""#)]);
    refused_at(text, 4, 29, &["10.0.2.2", "twice", "\"br0\""]);
}

#[test]
fn any_setting_on_lo_is_refused_where_it_is_written() {
    refused_at(
        "version = 1\n[interfaces.lo]\nstate = \"down\"\n",
        3,
        9,
        &["lo", "loopback"],
    );
    let many = "version = 1\n[interfaces.lo]\nmtu = 1500\naddresses = [\"10.0.9.1/24\"]\n";
    let errors = errors(many);
    let at: Vec<(usize, usize)> = errors.iter().map(|(l, c, _)| (*l, *c)).collect();
    assert_eq!(at, [(3, 7), (4, 14)], "{errors:#?}");
    refused_at("version = 1\n[interfaces.lo]\n", 2, 13, &["loopback"]);
    refused_at(
        "version = 1\n[interfaces.v0]\ntype = \"veth\"\npeer = \"lo\"\n",
        4,
        8,
        &["loopback"],
    );
    refused_at(
        "version = 1\n[interfaces.v0]\nmaster = \"lo\"\n",
        3,
        10,
        &["loopback"],
    );
    refused_at(
        "version = 1\n[ovs]\n[ovs.bridges.br-x.ports.lo]\n",
        3,
        25,
        &["loopback"],
    );
}

#[test]
fn the_same_nat_twice_is_refused_at_the_second() {
    let text = "version = 1\n[host]\nuplink = \"eth0\"\n\
                [[nat]]\nsource = \"10.0.2.0/24\"\nout = \"eth0\"\n\
                [[nat]]\nsource = \"10.0.2.0/24\"\nout = \"${uplink}\"\n";
    refused_at(text, 8, 10, &["10.0.2.0/24", "eth0", "twice"]);
    let auto = "version = 1\n\
                [[nat]]\nsource = \"10.0.2.0/24\"\nout = \"${uplink}\"\n\
                [[nat]]\nsource = \"10.0.3.0/24\"\nout = \"${uplink}\"\n\
                [[nat]]\nsource = \"10.0.2.0/24\"\nout = \"${uplink}\"\n";
    refused_at(auto, 9, 10, &["10.0.2.0/24", "twice"]);
}

#[test]
fn the_same_nat_twice_once_the_uplink_is_known_is_refused_at_the_second() {
    let text = "version = 1\n\
                [[nat]]\nsource = \"10.0.2.0/24\"\nout = \"${uplink}\"\n\
                [[nat]]\nsource = \"10.0.2.0/24\"\nout = \"eth0\"\n";
    let t = aio_topology::parse_str("t.toml", text).unwrap();
    let facts = aio_topology::Facts {
        uplink: Some("eth0".into()),
        ..aio_topology::Facts::default()
    };
    let d = t.check_facts(&facts).unwrap_err();
    assert_eq!(d.items.len(), 1, "{d}");
    assert_eq!(d.file.line_col(d.items[0].span.start), (6, 10), "{d}");
}

#[test]
fn a_relative_ovsdb_socket_is_refused_at_db() {
    refused_at(
        "version = 1\n[ovs]\ndb = \"unix:relative/db.sock\"\n",
        3,
        6,
        &["relative/db.sock", "absolute"],
    );
    refused_at(
        "version = 1\n[ovs]\ndb = \"tcp:127.0.0.1:0\"\n",
        3,
        6,
        &["port"],
    );
}

#[test]
fn the_uplink_as_a_veths_peer_is_refused_at_peer() {
    let text = "version = 1\n[host]\nuplink = \"eth0\"\n\
                [interfaces.veth0]\ntype = \"veth\"\n# the other end\npeer = \"eth0\"\n";
    refused_at(text, 7, 8, &["uplink", "peer"]);
}

#[test]
fn an_ovs_port_in_two_bridges_is_refused_at_the_second() {
    let text = "version = 1\n[ovs]\n\
                [ovs.bridges.br-x.ports.p1]\ntype = \"internal\"\n\
                [ovs.bridges.br-y.ports.p1]\ntype = \"internal\"\n";
    refused_at(text, 5, 25, &["p1", "br-x"]);
}

#[test]
fn a_port_of_a_linux_bridge_cannot_be_an_ovs_port_too() {
    let text = "version = 1\n\
                [interfaces.br0]\ntype = \"bridge\"\n\
                [interfaces.v0]\ntype = \"veth\"\npeer = \"v1\"\nmaster = \"br0\"\n\
                [ovs]\n[ovs.bridges.br-x.ports.v0]\n";
    refused_at(text, 9, 25, &["v0", "br0"]);
}

#[test]
fn an_ovs_bridge_or_internal_port_cannot_have_the_name_of_a_declared_interface() {
    let bridge = "version = 1\n\
                  [interfaces.br-x]\ntype = \"bridge\"\n\
                  [ovs]\n[ovs.bridges.br-x]\n";
    refused_at(bridge, 5, 14, &["br-x", "[interfaces.br-x]"]);
    let internal = "version = 1\n\
                    [interfaces.p1]\ntype = \"bridge\"\n\
                    [ovs]\n[ovs.bridges.br-x.ports.p1]\ntype = \"internal\"\n";
    refused_at(internal, 5, 25, &["p1", "[interfaces.p1]"]);
}

#[test]
fn the_reference_and_the_examples_still_validate() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = vec![root.join("../shared/topologies/openstack-aio.toml")];
    for entry in std::fs::read_dir(root.join("examples")).unwrap() {
        files.push(entry.unwrap().path());
    }
    for path in files.iter().filter(|p| p.exists()) {
        let text = std::fs::read_to_string(path).unwrap();
        if let Err(d) = aio_topology::parse_str(path, text) {
            panic!("{d}");
        }
    }
}
