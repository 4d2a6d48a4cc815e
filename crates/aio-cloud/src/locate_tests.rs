use super::*;

const REFERENCE: &str = include_str!("../../../examples/openstack-aio.toml");

#[test]
fn a_vlan_conflict_names_the_ports_tag_and_kollas_setting() {
    let text = format!("{REFERENCE}\n[neutron.external_network]\n");
    let topology = aio_topology::parse_str("t.toml", text.clone()).unwrap();
    let line = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let places: Vec<(usize, &str, String)> = octavia_key(&topology, "segmentation_id")
        .into_iter()
        .map(|(span, what)| (topology.source.line_col(span.start).0, &text[span], what))
        .collect();
    assert_eq!(
        places,
        [
            (
                line("tag = 1718"),
                "1718",
                "the tag of OVS port v-lbaas-vlan".to_string()
            ),
            (
                line("provider_segmentation_id = 1718"),
                "1718",
                "octavia_amp_network.provider_segmentation_id".to_string()
            ),
        ]
    );
    let gateway = octavia_key(&topology, "gateway_ip");
    let shown: Vec<&str> = gateway.iter().map(|(s, _)| &text[s.clone()]).collect();
    assert_eq!(shown, ["\"172.18.255.254/16\"", "\"172.18.255.254\""]);
    let mtu = octavia_key(&topology, "mtu");
    assert_eq!(mtu.len(), 1, "{mtu:?}");
    assert_eq!(&text[mtu[0].0.clone()], "9000");
}
