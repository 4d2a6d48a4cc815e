#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;

use super::*;
use crate::validate::testing::{PLUMBING, line_of, valid};

#[test]
fn the_bridge_behind_the_external_interface_is_found_and_located() {
    let t = valid(PLUMBING);
    let b = t.external_bridge().unwrap();
    let at = |span: &crate::Span| t.source.line_col(span.start);
    assert_eq!(
        (
            b.interface.value.as_str(),
            b.peer.as_str(),
            b.bridge.value.as_str()
        ),
        ("veth-ovs", "veth-br", "dummy1")
    );
    assert_eq!(b.address.value.to_string(), "10.0.2.2/24");
    assert_eq!(
        at(&b.interface.span),
        (line_of(PLUMBING, "neutron_external_interface"), 30)
    );
    assert_eq!(at(&b.bridge.span), (line_of(PLUMBING, "master"), 10));
    assert_eq!(
        at(&b.address.span),
        (line_of(PLUMBING, "addresses = [\"10.0.2.2/24\"]"), 14)
    );
    assert_eq!(
        (b.subnet().to_string(), b.gateway().to_string()),
        ("10.0.2.0/24".into(), "10.0.2.2".into())
    );
}

#[test]
fn the_bridge_is_found_from_either_end_and_by_its_first_ipv4_address() {
    // Kolla's interface may be the end that names the pair, or the other.
    let text = PLUMBING
        .replace("\"veth-ovs\"\n", "\"veth-br\"\n")
        .replace("master = \"dummy1\"\n", "")
        .replace(
            "peer = \"veth-br\"\n",
            "peer = \"veth-br\"\nmaster = \"dummy1\"\n",
        );
    let b = valid(&text).external_bridge().unwrap();
    assert_eq!(
        (b.interface.value.as_str(), b.peer.as_str()),
        ("veth-br", "veth-ovs")
    );
    let dual = PLUMBING.replace(
        "[\"10.0.2.2/24\"]",
        "[\"fd00::1/64\", \"10.0.2.2/24\", \"10.0.9.1/24\"]",
    );
    let b = valid(&dual).external_bridge().unwrap();
    assert_eq!(b.address.value.to_string(), "10.0.2.2/24");
    // The first of a comma list is Kolla's physnet1 interface.
    let listed = PLUMBING.replace("\"veth-ovs\"\n", "\"veth-ovs,eth9\"\n");
    assert_eq!(
        valid(&listed).external_bridge().unwrap().bridge.value,
        "dummy1"
    );
}

#[test]
fn each_missing_step_is_told() {
    let no_kolla = valid("version = 1\n").external_bridge();
    assert_eq!(no_kolla, Err(NoExternalBridge::NoKolla));
    let jinja = PLUMBING.replace("\"veth-ovs\"\n", "\"{{ ext }}\"\n");
    assert_eq!(
        valid(&jinja).external_bridge(),
        Err(NoExternalBridge::NoExternalInterface)
    );
    let bridge = PLUMBING.replace("\"veth-ovs\"\n", "\"dummy1\"\n");
    assert_eq!(
        valid(&bridge).external_bridge(),
        Err(NoExternalBridge::NotAVeth {
            interface: "dummy1".into()
        })
    );
    let loose = PLUMBING.replace("master = \"dummy1\"\n", "");
    assert_eq!(
        valid(&loose).external_bridge(),
        Err(NoExternalBridge::PeerWithoutMaster {
            interface: "veth-ovs".into(),
            peer: "veth-br".into()
        })
    );
    let bare = PLUMBING.replace("addresses = [\"10.0.2.2/24\"]\n", "");
    assert_eq!(
        valid(&bare).external_bridge(),
        Err(NoExternalBridge::NoIpv4Address {
            peer: "veth-br".into(),
            bridge: "dummy1".into()
        })
    );
}

fn a(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

#[test]
fn the_pool_is_the_longest_free_run_of_the_upper_half() {
    let net: Ipv4Net = "10.0.2.0/24".parse().unwrap();
    assert_eq!(
        derived_pool(net, &[a("10.0.2.2")]),
        Some((a("10.0.2.128"), a("10.0.2.254")))
    );
    assert_eq!(
        derived_pool(net, &[a("10.0.2.130")]),
        Some((a("10.0.2.131"), a("10.0.2.254")))
    );
    assert_eq!(
        derived_pool(net, &[a("10.0.2.200"), a("10.0.2.200")]),
        Some((a("10.0.2.128"), a("10.0.2.199")))
    );
    assert_eq!(derived_pool("10.0.2.0/31".parse().unwrap(), &[]), None);
    let small: Ipv4Net = "10.0.2.0/30".parse().unwrap();
    assert_eq!(derived_pool(small, &[a("10.0.2.2")]), None);
    // The widest networks take no longer than a small one.
    let all: Ipv4Net = "0.0.0.0/0".parse().unwrap();
    assert_eq!(
        derived_pool(all, &[]),
        Some((a("128.0.0.0"), a("255.255.255.254")))
    );
}

/// The pool as a walk over every address of the upper half.
fn walked(net: Ipv4Net, taken: &[Ipv4Addr]) -> Option<(Ipv4Addr, Ipv4Addr)> {
    if net.prefix_len() > 30 {
        return None;
    }
    let first = u32::from(net.network());
    let last = u32::from(net.broadcast()) - 1;
    let start = first + (last - first + 2) / 2;
    let mut best: Option<(u32, u32)> = None;
    let mut run: Option<u32> = None;
    for x in start..=last + 1 {
        let free = x <= last && !taken.contains(&Ipv4Addr::from(x));
        match (free, run) {
            (true, None) => run = Some(x),
            (false, Some(s)) => {
                if best.is_none_or(|(bs, be)| x - 1 - s > be - bs) {
                    best = Some((s, x - 1));
                }
                run = None;
            }
            _ => {}
        }
    }
    best.map(|(s, e)| (Ipv4Addr::from(s), Ipv4Addr::from(e)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_pool_is_the_walks_pool(
        prefix in 20u8..=32,
        offsets in proptest::collection::vec(0u32..5000, 0..12),
    ) {
        let net = Ipv4Net::new(a("10.1.0.0"), prefix).unwrap().trunc();
        let base = u32::from(net.network());
        let taken: Vec<Ipv4Addr> = offsets.iter().map(|o| Ipv4Addr::from(base + o)).collect();
        prop_assert_eq!(derived_pool(net, &taken), walked(net, &taken));
    }
}
