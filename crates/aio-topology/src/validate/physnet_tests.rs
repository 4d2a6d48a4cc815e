#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

/// The reference's plumbing: physnet1's path is veth-ovs, veth-br, dummy1,
/// and the Octavia port v-lbaas-vlan with its peer v-lbaas.
const PLUMBING: &str = r#"version = 1
[interfaces.dummy1]
type = "bridge"
[interfaces.veth-ovs]
type = "veth"
peer = "veth-br"
[interfaces.veth-br]
master = "dummy1"
[interfaces.v-lbaas-vlan]
type = "veth"
peer = "v-lbaas"
[interfaces.v-lbaas]
addresses = ["172.18.255.254/16"]
[ovs.bridges.br-ex]
provided_by = "kolla"
[ovs.bridges.br-ex.ports.v-lbaas-vlan]
tag = 1718
[kolla]
vip = "192.0.2.250"
[kolla.globals]
neutron_external_interface = "veth-ovs"
"#;

const PATH: [&str; 5] = ["dummy1", "veth-ovs", "veth-br", "v-lbaas-vlan", "v-lbaas"];

/// `text` with `mtu = MTU` in the tables of `names`.
fn with_mtu(text: &str, mtu: u32, names: &[&str]) -> String {
    names.iter().fold(text.to_string(), |t, n| {
        t.replace(
            &format!("[interfaces.{n}]\n"),
            &format!("[interfaces.{n}]\nmtu = {mtu}\n"),
        )
    })
}

fn global(mtu: &str) -> String {
    format!("[kolla.config.\"neutron.conf\".DEFAULT]\nglobal_physnet_mtu = {mtu}\n")
}

fn per_physnet(mtus: &str) -> String {
    format!("[kolla.config.\"neutron/ml2_conf.ini\".ml2]\nphysical_network_mtus = \"{mtus}\"\n")
}

fn errors(text: &str) -> Vec<String> {
    match crate::parse_str("t.toml", text.to_string()) {
        Ok(_) => Vec::new(),
        Err(d) => d.items.into_iter().map(|i| i.message).collect(),
    }
}

/// The links named in the errors, in file order.
fn offenders(text: &str) -> Vec<String> {
    errors(text)
        .iter()
        .map(|m| m.split('"').nth(1).unwrap_or(m).to_string())
        .collect()
}

#[test]
fn links_at_the_physnet_mtu_fit() {
    let text = with_mtu(PLUMBING, 9000, &PATH) + &global("9000");
    assert_eq!(errors(&text), Vec::<String>::new());
    let t = crate::parse_str("t.toml", text).unwrap();
    let mtu = t.physnet_mtu().unwrap();
    assert_eq!(
        (mtu.physnet, mtu.mtu, mtu.source),
        ("physnet1", 9000, MtuSource::Global)
    );
}

#[test]
fn every_link_that_does_not_fit_has_its_own_error() {
    let text = with_mtu(PLUMBING, 1500, &["veth-br", "v-lbaas"]) + &global("9000");
    assert_eq!(offenders(&text), PATH.map(str::to_string).to_vec());
    let all = errors(&text);
    let veth_br = all.iter().find(|m| m.contains("\"veth-br\"")).unwrap();
    assert_eq!(
        veth_br,
        "\"veth-br\" (the veth peer of veth-ovs) has MTU 1500, less than physnet1's MTU 9000 \
         (global_physnet_mtu in [kolla.config.\"neutron.conf\".DEFAULT])"
    );
    let dummy1 = all.iter().find(|m| m.contains("\"dummy1\"")).unwrap();
    assert!(
        dummy1.contains("has MTU 1500 (no `mtu`: the kernel's default)"),
        "{dummy1}"
    );
}

#[test]
fn one_short_link_is_the_only_error() {
    let text = with_mtu(
        PLUMBING,
        9000,
        &["dummy1", "veth-ovs", "veth-br", "v-lbaas-vlan"],
    ) + &global("9000");
    assert_eq!(offenders(&text), ["v-lbaas"]);
    let text = with_mtu(
        PLUMBING,
        9000,
        &["dummy1", "veth-ovs", "v-lbaas-vlan", "v-lbaas"],
    ) + &global("9000");
    assert_eq!(offenders(&text), ["veth-br"]);
}

#[test]
fn a_per_physnet_mtu_below_the_global_one_wins() {
    let text = PLUMBING.to_string() + &global("9000") + &per_physnet("physnet1:1500,physnet2:9000");
    assert_eq!(errors(&text), Vec::<String>::new());
    let t = crate::parse_str("t.toml", text).unwrap();
    let mtu = t.physnet_mtu().unwrap();
    assert_eq!((mtu.mtu, mtu.source), (1500, MtuSource::PerPhysnet));

    // Neutron takes the smaller of the two: physnet1:9000 under the default is 1500.
    let text = PLUMBING.to_string() + &per_physnet("physnet1:9000");
    assert_eq!(errors(&text), Vec::<String>::new());

    let text = with_mtu(PLUMBING, 9000, &PATH) + &global("9000") + &per_physnet("physnet1: 8000");
    assert_eq!(errors(&text), Vec::<String>::new());
    let text = with_mtu(PLUMBING, 1500, &PATH) + &global("9000") + &per_physnet("physnet1:8000");
    let all = errors(&text);
    assert_eq!(all.len(), 5, "{all:?}");
    assert!(all.iter().all(|m| m.contains(
        "physnet1's MTU 8000 (physical_network_mtus in [kolla.config.\"neutron/ml2_conf.ini\".ml2])"
    )));
    // Another physnet's entry says nothing about physnet1.
    let text = PLUMBING.to_string() + &global("9000") + &per_physnet("physnet2:1500");
    assert_eq!(errors(&text).len(), 5);
}

#[test]
fn unset_means_1500_for_the_physnet_and_for_the_links() {
    assert_eq!(errors(PLUMBING), Vec::<String>::new());
    let t = crate::parse_str("t.toml", PLUMBING).unwrap();
    let mtu = t.physnet_mtu().unwrap();
    assert_eq!((mtu.mtu, mtu.source), (1500, MtuSource::NeutronDefault));

    let text = with_mtu(PLUMBING, 1400, &["v-lbaas"]);
    let all = errors(&text);
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(
        all[0].ends_with("physnet1's MTU 1500 (Neutron's default: global_physnet_mtu is not set)"),
        "{all:?}"
    );
}

#[test]
fn the_error_is_at_the_mtu_key_or_at_the_name() {
    let text = with_mtu(
        PLUMBING,
        9000,
        &["dummy1", "veth-ovs", "veth-br", "v-lbaas"],
    ) + &global("9000");
    let text = text.replace(
        "[interfaces.v-lbaas]\nmtu = 9000\n",
        "[interfaces.v-lbaas]\nmtu = 1500\n",
    );
    let shown = crate::parse_str("t.toml", text).unwrap_err().to_string();
    // v-lbaas-vlan has no mtu: at its name in [interfaces.v-lbaas-vlan].
    assert!(shown.contains("t.toml:12:13: error: \"v-lbaas-vlan\" (a port of br-ex, physnet1's bridge) has MTU 1500"), "{shown}");
    // v-lbaas sets one: at its value.
    assert!(
        shown.contains(
            "t.toml:16:7: error: \"v-lbaas\" (the veth peer of v-lbaas-vlan) has MTU 1500,"
        ),
        "{shown}"
    );
    assert!(shown.contains(
        "= help: physnet1's frames of up to 9000 bytes cross this link: set mtu = 9000 in [interfaces.v-lbaas], or lower global_physnet_mtu to 1500"
    ), "{shown}");
}

#[test]
fn a_peer_without_a_table_is_told_to_get_one() {
    let text = with_mtu(
        PLUMBING,
        9000,
        &["dummy1", "veth-ovs", "v-lbaas-vlan", "v-lbaas"],
    )
    .replace("[interfaces.veth-br]\nmaster = \"dummy1\"\n", "")
        + &global("9000");
    let all = crate::parse_str("t.toml", text).unwrap_err();
    assert_eq!(all.items.len(), 1, "{all}");
    assert!(
        all.to_string()
            .contains("add [interfaces.veth-br] with mtu = 9000"),
        "{all}"
    );
}

#[test]
fn an_existing_interface_without_mtu_is_not_judged() {
    let text = "version = 1\n[interfaces.eth1]\n[kolla]\nvip = \"192.0.2.250\"\n\
                [kolla.globals]\nneutron_external_interface = \"eth1\"\n"
        .to_string()
        + &global("9000");
    assert_eq!(errors(&text), Vec::<String>::new());
    let text = text.replace("[interfaces.eth1]\n", "[interfaces.eth1]\nmtu = 1500\n");
    assert_eq!(offenders(&text), ["eth1"]);
}

#[test]
fn malformed_settings_are_located_and_jinja_is_not_judged() {
    let text = PLUMBING.to_string() + &global("\"big\"");
    let shown = crate::parse_str("t.toml", text).unwrap_err().to_string();
    assert!(
        shown.contains("t.toml:23:22: error: global_physnet_mtu \"big\" is not an MTU"),
        "{shown}"
    );
    let text = PLUMBING.to_string() + &per_physnet("physnet1=9000");
    assert_eq!(
        errors(&text),
        ["physical_network_mtus entry \"physnet1=9000\" is not PHYSNET:MTU"]
    );
    let text = PLUMBING.to_string() + &global("\"{{ mtu }}\"");
    assert_eq!(errors(&text), Vec::<String>::new());
    assert!(
        crate::parse_str("t.toml", text)
            .unwrap()
            .physnet_mtu()
            .is_none()
    );
}
