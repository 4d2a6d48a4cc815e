#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::validate::testing::{PLUMBING, errors, line_of, only_error, valid};

/// The plumbing with `[neutron.external_network]` holding `keys`.
fn external(keys: &str) -> String {
    format!("{PLUMBING}[neutron.external_network]\n{keys}")
}

#[test]
fn the_header_alone_takes_every_default_located_at_the_tables() {
    let text = external("");
    let t = valid(&text);
    let n = t.neutron.as_ref().unwrap();
    let header = line_of(&text, "[neutron.external_network]");
    let at = |span: &crate::Span| t.source.line_col(span.start);
    assert_eq!(
        (n.cloud.value.as_str(), at(&n.cloud.span)),
        ("kolla-admin", (header, 2))
    );
    assert_eq!(n.clouds_yaml, None);
    let e = n.external_network.as_ref().unwrap();
    assert_eq!(at(&e.span), (header, 1));
    for (value, span) in [
        ("public1", &e.name.span),
        ("public1-subnet", &e.subnet.span),
        ("physnet1", &e.physical_network.span),
    ] {
        assert_eq!(at(span), (header, 1), "{value}");
    }
    assert_eq!(
        (e.name.value.as_str(), e.subnet.value.as_str()),
        ("public1", "public1-subnet")
    );
    assert_eq!(e.physical_network.value, "physnet1");
    assert_eq!((e.dhcp.value, at(&e.dhcp.span)), (false, (header, 1)));
    assert_eq!(
        (&e.cidr, &e.gateway, &e.allocation_pool),
        (&None, &None, &None)
    );
}

#[test]
fn declared_values_are_kept_where_they_are_written() {
    let text = format!(
        "{PLUMBING}[neutron]\ncloud = \"admin\"\nclouds_yaml = \"/srv/clouds.yaml\"\n\
         [neutron.external_network]\nname = \"ext\"\ndhcp = true\ncidr = \"10.0.2.0/25\"\n\
         gateway = \"10.0.2.2\"\nallocation_pool = \"10.0.2.64-10.0.2.126\"\n"
    );
    let t = valid(&text);
    let n = t.neutron.as_ref().unwrap();
    assert_eq!(n.cloud.value, "admin");
    assert_eq!(
        t.source.line_col(n.cloud.span.start),
        (line_of(&text, "cloud ="), 9)
    );
    assert_eq!(n.clouds_yaml.as_ref().unwrap().value, "/srv/clouds.yaml");
    let e = n.external_network.as_ref().unwrap();
    assert_eq!(e.subnet.value, "ext-subnet");
    assert!(e.dhcp.value);
    assert_eq!(e.cidr.as_ref().unwrap().value.to_string(), "10.0.2.0/25");
    assert_eq!(e.gateway.as_ref().unwrap().value.to_string(), "10.0.2.2");
    let pool = e.allocation_pool.as_ref().unwrap().value;
    assert_eq!(
        (pool.0.to_string(), pool.1.to_string()),
        ("10.0.2.64".into(), "10.0.2.126".into())
    );
}

#[test]
fn neutron_without_kolla_needs_clouds_yaml() {
    let text = "version = 1\n\n[neutron]\ncloud = \"mine\"\n";
    let e = only_error(text);
    assert_eq!(e.at, "3:1");
    assert_eq!(
        e.message,
        "[neutron] has no `clouds_yaml` and there is no [kolla] to take it from"
    );
    assert!(
        e.help
            .starts_with("set clouds_yaml = \"/etc/kolla/clouds.yaml\""),
        "{}",
        e.help
    );
    valid("version = 1\n[neutron]\nclouds_yaml = \"/etc/kolla/clouds.yaml\"\n");
    // With [kolla], the default is <config_dir>/clouds.yaml.
    valid(&format!("{PLUMBING}[neutron]\n"));
}

#[test]
fn clouds_yaml_is_an_absolute_path_and_cloud_one_line() {
    let text = format!("{PLUMBING}[neutron]\nclouds_yaml = \"clouds.yaml\"\n");
    let e = only_error(&text);
    assert_eq!(e.at, format!("{}:15", line_of(&text, "clouds_yaml")));
    assert_eq!(
        e.message,
        "clouds_yaml \"clouds.yaml\" is not an absolute path"
    );
    for (cloud, problem) in [
        ("\"\"", "cloud is empty"),
        ("\"a\\nb\"", "cloud is not one line of printable characters"),
    ] {
        let text = format!("{PLUMBING}[neutron]\ncloud = {cloud}\n");
        let e = only_error(&text);
        assert_eq!(e.at, format!("{}:9", line_of(&text, "cloud")));
        assert_eq!(e.message, problem);
        assert!(e.help.contains("a cloud in clouds.yaml"), "{}", e.help);
    }
}

#[test]
fn names_are_what_neutron_stores() {
    let long = "n".repeat(256);
    for (name, problem) in [
        ("", "name is empty"),
        (long.as_str(), "name has 256 characters"),
        ("a\\tb", "name is not one line of printable characters"),
    ] {
        let text = external(&format!("name = \"{name}\"\n"));
        let e = only_error(&text);
        assert_eq!(e.at, format!("{}:8", line_of(&text, "name =")));
        assert_eq!(e.message, problem);
        assert_eq!(
            e.help,
            "Neutron takes a name of 1 to 255 characters on one line"
        );
    }
    let widest = format!("name = \"{}\"\nsubnet = \"s\"\n", "é".repeat(255));
    valid(&external(&widest));
    let text = external("subnet = \"\"\n");
    assert_eq!(only_error(&text).message, "subnet is empty");
}

#[test]
fn a_default_subnet_name_too_long_is_said_at_the_table() {
    let text = external(&format!("name = \"{}\"\n", "n".repeat(250)));
    let e = only_error(&text);
    assert_eq!(
        e.at,
        format!("{}:1", line_of(&text, "[neutron.external_network]"))
    );
    assert_eq!(
        e.message,
        "the subnet's default name \"<name>-subnet\" has 257 characters"
    );
    assert_eq!(
        e.help,
        "set `subnet` to a name of 1 to 255 characters, or shorten `name`"
    );
    let shorter = format!("name = \"{}\"\nsubnet = \"ext-subnet\"\n", "n".repeat(250));
    valid(&external(&shorter));
}

#[test]
fn only_physnet1_is_a_physical_network() {
    let text = external("physical_network = \"physnet2\"\n");
    let e = only_error(&text);
    assert_eq!(e.at, format!("{}:20", line_of(&text, "physical_network")));
    assert_eq!(e.message, "physical_network \"physnet2\" is not supported");
    assert!(
        e.help.starts_with(
            "write \"physnet1\": Kolla maps physnet1 to the first neutron_bridge_name"
        ) && e
            .help
            .ends_with("other physnets are not supported by aio yet"),
        "{}",
        e.help
    );
    valid(&external("physical_network = \"physnet1\"\n"));
}

#[test]
fn malformed_networks_addresses_and_pools_are_refused_alone() {
    for (keys, col, message) in [
        (
            "cidr = \"10.0.2.0\"",
            8,
            "cidr \"10.0.2.0\" is not an IPv4 network",
        ),
        (
            "cidr = \"10.0.2.1/24\"",
            8,
            "cidr 10.0.2.1/24 has host bits set",
        ),
        (
            "gateway = \"10.0.2.2/24\"",
            11,
            "gateway \"10.0.2.2/24\" is not an IPv4 address",
        ),
        (
            "allocation_pool = \"10.0.2.128\"",
            19,
            "allocation_pool \"10.0.2.128\" is not FIRST-LAST",
        ),
        (
            "allocation_pool = \"10.0.2.254-10.0.2.128\"",
            19,
            "allocation_pool 10.0.2.254-10.0.2.128 starts after it ends",
        ),
    ] {
        // Nothing is derived in place of a refused value: one error each.
        let text = external(&format!("{keys}\n"));
        let e = only_error(&text);
        assert_eq!(e.at, format!("{}:{col}", text.lines().count()), "{keys}");
        assert_eq!(e.message, message);
    }
}

#[test]
fn an_unknown_key_is_refused_with_the_closest_known_one() {
    let text = external("cdir = \"10.0.2.0/24\"\n");
    let e = only_error(&text);
    assert_eq!(e.message, "unknown key `cdir`");
    assert!(e.help.starts_with("did you mean `cidr`?"), "{}", e.help);
    let text = format!("{PLUMBING}[neutron]\nclouds = \"x\"\n");
    assert_eq!(errors(&text).len(), 1);
}
