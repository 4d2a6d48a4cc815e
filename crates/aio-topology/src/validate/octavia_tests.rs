#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::validate::testing::{PLUMBING, errors, line_of, only_error, valid};

/// The reference's `octavia_amp_network`, which agrees with its cable.
const AMP: &str = r#"[kolla.globals.octavia_amp_network]
name = "lb-mgmt-net"
provider_network_type = "vlan"
provider_physical_network = "physnet1"
provider_segmentation_id = 1718
[kolla.globals.octavia_amp_network.subnet]
cidr = "{{ octavia_amp_network_cidr }}"
gateway_ip = "172.18.255.254"
"#;

fn amp(from: &str, to: &str) -> String {
    assert!(AMP.contains(from), "{from}");
    format!("{PLUMBING}{}", AMP.replace(from, to))
}

#[test]
fn the_reference_cable_and_network_agree() {
    valid(&amp("", ""));
}

#[test]
fn the_amphorae_vlan_is_the_ports_tag() {
    let text = amp("= 1718", "= 1717");
    let e = only_error(&text);
    let tag_line = line_of(&text, "tag = 1718");
    assert_eq!(
        e.at,
        format!("{}:28", line_of(&text, "provider_segmentation_id"))
    );
    assert_eq!(
        e.message,
        format!(
            "provider_segmentation_id 1717 is not the VLAN of \"v-lbaas-vlan\" on br-ex, octavia_network_interface \"v-lbaas\"'s veth peer, which has the tag 1718 (t.toml:{tag_line})"
        )
    );
    assert_eq!(
        e.help,
        "make them the same: the amphorae's VLAN is the port's tag"
    );
    let untagged = format!("{PLUMBING}{AMP}").replace("tag = 1718\n", "");
    let e = only_error(&untagged);
    assert!(e.message.ends_with(&format!(
        "which has no `tag` (t.toml:{})",
        line_of(&untagged, "[ovs.bridges.br-ex.ports.v-lbaas-vlan]")
    )));
    // Jinja is Kolla's to resolve.
    valid(&amp("= 1718", "= \"{{ amp_vlan }}\""));
}

#[test]
fn an_inline_network_is_located_inside_its_table() {
    let text = format!(
        "{PLUMBING}octavia_amp_network = {{ provider_segmentation_id = 99, subnet = {{ gateway_ip = \"172.18.0.1\" }} }}\n"
    );
    let all = errors(&text);
    let last = text.lines().last().unwrap();
    let col = |value: &str| last.find(value).unwrap() + 1;
    let line = text.lines().count();
    let at: Vec<&str> = all.iter().map(|e| e.at.as_str()).collect();
    let expected = [
        format!("{line}:{}", col("99")),
        format!("{line}:{}", col("\"172.18.0.1\"")),
    ];
    assert_eq!(at, expected);
    assert!(all[0].message.starts_with("provider_segmentation_id 99 "));
    assert!(all[1].message.starts_with("gateway_ip 172.18.0.1 "));
}

#[test]
fn the_amphorae_gateway_is_the_health_managers_address() {
    let text = amp("\"172.18.255.254\"", "\"172.18.0.1\"");
    let e = only_error(&text);
    assert_eq!(e.at, format!("{}:14", line_of(&text, "gateway_ip")));
    assert_eq!(
        e.message,
        "gateway_ip 172.18.0.1 is not an address of octavia_network_interface \"v-lbaas\" (172.18.255.254)"
    );
    assert!(
        e.help.starts_with("write gateway_ip = \"172.18.255.254\":"),
        "{}",
        e.help
    );
    let bare = format!("{PLUMBING}{AMP}").replace("addresses = [\"172.18.255.254/16\"]\n", "");
    assert!(
        only_error(&bare)
            .message
            .ends_with("\"v-lbaas\" (it has none in the file)")
    );
    valid(&amp("\"172.18.255.254\"", "\"{{ amp_gateway }}\""));
}

#[test]
fn the_amphorae_physnet_is_physnet1_on_its_bridge() {
    let text = amp("\"physnet1\"", "\"physnet2\"");
    let e = only_error(&text);
    assert_eq!(
        e.at,
        format!("{}:29", line_of(&text, "provider_physical_network"))
    );
    assert_eq!(
        e.message,
        "provider_physical_network \"physnet2\" is not physnet1, the physnet of br-ex that carries \"v-lbaas-vlan\""
    );
    assert!(
        e.help.starts_with(
            "write \"physnet1\": Kolla maps physnet1 to the first neutron_bridge_name (br-ex)"
        ),
        "{}",
        e.help
    );
    // physnet1's bridge is the first of neutron_bridge_name.
    let named = text.replace(
        "[kolla.globals]\n",
        "[kolla.globals]\nneutron_bridge_name = \"br-ex,br-two\"\n",
    );
    assert_eq!(errors(&named).len(), 1);
    let elsewhere = text.replace(
        "[kolla.globals]\n",
        "[kolla.globals]\nneutron_bridge_name = \"br-one,br-ex\"\n",
    );
    valid(&elsewhere);
}

#[test]
fn an_interface_the_file_does_not_cable_is_not_judged() {
    let text = format!("{PLUMBING}{AMP}")
        .replace("interface = \"v-lbaas\"", "interface = \"eth2\"")
        .replace("= 1718\n[kolla", "= 99\n[kolla");
    assert!(text.contains("octavia_network_interface = \"eth2\""));
    valid(&text);
}
