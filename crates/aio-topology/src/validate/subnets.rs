//! Two interfaces on overlapping subnets are refused: the host would have
//! two routes for the same addresses (10.0.2.2/24 on one bridge and
//! 10.0.2.3/24 on another both route 10.0.2.0/24), and which one the
//! kernel takes is not something the file says. The second address is
//! refused, naming the first. Addresses of one interface may share a
//! subnet (a secondary address).

use std::collections::BTreeMap;
use std::net::IpAddr;

use indexmap::IndexMap;
use ipnet::IpNet;

use super::Checker;
use crate::model::{Interface, Located};

/// Where a subnet starts: its family (IPv6 or not) and first address as a
/// number, then its prefix length. Two CIDR subnets overlap only when one
/// holds the other, so sorted keys find both cases with lookups and a range.
type Key = (bool, u128, u8);

/// An address seen so far, and the interface it is declared on.
struct Declared<'a> {
    interface: &'a str,
    address: &'a Located<IpNet>,
}

pub(crate) fn check(c: &mut Checker, interfaces: &IndexMap<String, Interface>) {
    let mut seen: BTreeMap<Key, Vec<Declared<'_>>> = BTreeMap::new();
    for iface in interfaces.values() {
        for address in &iface.addresses {
            // The same address twice is said by the check of unique addresses.
            let first = overlapping(&seen, &iface.name, &address.value)
                .filter(|f| f.address.value.addr() != address.value.addr());
            if let Some(first) = first {
                report(c, &iface.name, address, first);
            }
            seen.entry(key(&address.value)).or_default().push(Declared {
                interface: &iface.name,
                address,
            });
        }
    }
}

fn key(net: &IpNet) -> Key {
    let start = net.network();
    (start.is_ipv6(), number(start), net.prefix_len())
}

fn number(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// An address of another interface whose subnet holds `net`'s or lies in it.
fn overlapping<'s, 'a>(
    seen: &'s BTreeMap<Key, Vec<Declared<'a>>>,
    interface: &str,
    net: &IpNet,
) -> Option<&'s Declared<'a>> {
    let other = |list: &'s Vec<Declared<'a>>| list.iter().find(|d| d.interface != interface);
    // Subnets as wide as `net` or wider that hold it.
    let wider = (0..=net.prefix_len())
        .filter_map(|len| IpNet::new(net.addr(), len).ok())
        .filter_map(|wide| seen.get(&key(&wide)).and_then(other))
        .next();
    if wider.is_some() {
        return wider;
    }
    // Narrower subnets inside `net`: they start between its first and last address.
    let (v6, first, len) = key(net);
    let last = number(net.broadcast());
    seen.range((v6, first, len)..=(v6, last, u8::MAX))
        .filter(|((_, _, l), _)| *l > len)
        .find_map(|(_, list)| other(list))
}

fn report(c: &mut Checker, interface: &str, address: &Located<IpNet>, first: &Declared<'_>) {
    let (mine, theirs) = (address.value, first.address.value);
    let narrower = if mine.prefix_len() >= theirs.prefix_len() {
        mine.trunc()
    } else {
        theirs.trunc()
    };
    c.error(
        address.span.clone(),
        format!(
            "{mine} on \"{interface}\" overlaps {theirs} on \"{}\": the host would have two routes for {narrower}",
            first.interface
        ),
        format!(
            "give \"{interface}\" a subnet of its own, or put both addresses on \"{}\"",
            first.interface
        ),
    );
}
