use std::net::Ipv4Addr;

use aio_topology::Facts;

use super::*;

const REFERENCE: &str = include_str!("../../../examples/openstack-aio.toml");
const DECLARED: &str = "\n[neutron.external_network]\nname = \"public1\"\n";

fn topology(extra: &str) -> Topology {
    aio_topology::parse_str("t.toml", format!("{REFERENCE}{extra}")).unwrap()
}

fn facts() -> Facts {
    Facts {
        uplink: Some("eth0".into()),
        uplink_address: Some(Ipv4Addr::new(192, 0, 2, 10)),
        ..Facts::default()
    }
}

#[test]
fn one_line_gets_public1_on_dummy1s_subnet() {
    let e = External::of(&topology(DECLARED), &facts())
        .unwrap()
        .unwrap();
    assert_eq!(
        e,
        External {
            name: "public1".into(),
            subnet: "public1-subnet".into(),
            physical_network: "physnet1".into(),
            cidr: "10.0.2.0/24".parse().unwrap(),
            gateway: Ipv4Addr::new(10, 0, 2, 2),
            pool: (Ipv4Addr::new(10, 0, 2, 128), Ipv4Addr::new(10, 0, 2, 254)),
            dhcp: false,
        }
    );
    assert_eq!(External::of(&topology(""), &facts()), Ok(None));
}

#[test]
fn octavia_is_what_the_plumbing_implies() {
    let o = Octavia::of(&topology(DECLARED)).unwrap();
    assert_eq!(
        o,
        Octavia {
            name: "lb-mgmt-net".into(),
            port: Some(("v-lbaas-vlan".into(), 1718)),
            physical_network: Some("physnet1".into()),
            gateway: Some(("v-lbaas".into(), Ipv4Addr::new(172, 18, 255, 254))),
            mtu: Some(9000),
        }
    );
    assert_eq!(
        Octavia::of(&topology("")),
        None,
        "checked only with [neutron]"
    );
}

#[test]
fn a_declared_narrower_subnet_gets_a_pool_of_its_own() {
    let narrower = "\n[neutron.external_network]\ncidr = \"10.0.2.0/25\"\n";
    let e = External::of(&topology(narrower), &facts())
        .unwrap()
        .unwrap();
    assert_eq!(e.cidr, "10.0.2.0/25".parse().unwrap());
    assert_eq!(e.gateway, Ipv4Addr::new(10, 0, 2, 2));
    assert_eq!(
        e.pool,
        (Ipv4Addr::new(10, 0, 2, 64), Ipv4Addr::new(10, 0, 2, 126))
    );
}
