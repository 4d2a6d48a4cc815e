//! `[interfaces.NAME]`: kinds, veth pairs, masters, addresses, state, mtu.

use indexmap::IndexMap;
use ipnet::IpNet;
use toml::Spanned;

use super::Checker;
use crate::model::{AdminState, Interface, InterfaceKind, Located};
use crate::raw::{Map, RawInterface};
use crate::vocabulary::interfaces::{MTU, STATES, TYPES};

pub(crate) fn check(
    c: &mut Checker,
    raw: Option<Map<RawInterface>>,
) -> IndexMap<String, Interface> {
    let raw = raw.unwrap_or_default();
    let mut out: IndexMap<String, Interface> = IndexMap::with_capacity(raw.len());
    // Declared type per name, to check peers and masters against.
    let types: IndexMap<String, Option<Spanned<String>>> = raw
        .iter()
        .map(|(k, v)| (k.get_ref().clone(), v.kind.clone()))
        .collect();
    let mut peers: IndexMap<String, String> = IndexMap::new(); // peer -> veth that claims it

    for (name, iface) in &raw {
        if !c.interface_name(name) {
            continue;
        }
        if name.get_ref() == LOOPBACK {
            loopback_settings(c, name, iface);
            continue;
        }
        let kind = match &iface.kind {
            None => InterfaceKind::Existing,
            Some(t) => match c.one_of("interface type", t, &TYPES) {
                Some("bridge") => InterfaceKind::Bridge,
                Some(_) => match veth_peer(c, name, iface, &types, &mut peers) {
                    Some(peer) => InterfaceKind::Veth { peer },
                    None => continue,
                },
                None => continue,
            },
        };
        if let (Some(peer), false) = (&iface.peer, matches!(kind, InterfaceKind::Veth { .. })) {
            c.error(
                peer.span(),
                "`peer` applies only to `type = \"veth\"`",
                "add `type = \"veth\"` or remove `peer`",
            );
        }
        let state = match &iface.state {
            None => AdminState::Up,
            Some(s) => match c.one_of("state", s, &STATES) {
                Some("down") => AdminState::Down,
                Some(_) => AdminState::Up,
                None => continue,
            },
        };
        let mtu = iface.mtu.as_ref().and_then(|m| mtu(c, m));
        let addresses = iface
            .addresses
            .iter()
            .flatten()
            .filter_map(|a| address(c, a))
            .collect();
        let master = iface
            .master
            .as_ref()
            .filter(|m| c.interface_name(m))
            .map(located);
        out.insert(
            name.get_ref().clone(),
            Interface {
                name: name.get_ref().clone(),
                name_span: name.span(),
                peer_span: iface
                    .peer
                    .as_ref()
                    .filter(|_| matches!(kind, InterfaceKind::Veth { .. }))
                    .map(Spanned::span),
                kind,
                master,
                addresses,
                state,
                mtu,
                mtu_span: iface.mtu.as_ref().map(Spanned::span),
            },
        );
    }
    add_peers(&mut out, &raw, &peers);
    // Kept for the whole run: no room beyond the peers added.
    out.shrink_to_fit();
    check_masters(c, &out);
    check_unique_addresses(c, &out);
    super::subnets::check(c, &out);
    out
}

/// The loopback interface, which aio never changes.
pub const LOOPBACK: &str = "lo";

const LOOPBACK_HELP: &str =
    "remove it: lo is the kernel's loopback interface, and aio never changes it";

/// `[interfaces.lo]`: each setting is refused where it is written, the
/// table itself when it has none.
fn loopback_settings(c: &mut Checker, name: &Spanned<String>, iface: &RawInterface) {
    let settings = [
        ("type", iface.kind.as_ref().map(Spanned::span)),
        ("peer", iface.peer.as_ref().map(Spanned::span)),
        ("master", iface.master.as_ref().map(Spanned::span)),
        (
            "addresses",
            iface.addresses.iter().flatten().next().map(Spanned::span),
        ),
        ("state", iface.state.as_ref().map(Spanned::span)),
        ("mtu", iface.mtu.as_ref().map(Spanned::span)),
    ];
    let mut found = false;
    for (key, span) in settings {
        if let Some(span) = span {
            c.error(
                span,
                format!("`{key}` of lo: the loopback interface cannot be managed"),
                LOOPBACK_HELP,
            );
            found = true;
        }
    }
    if !found {
        c.error(
            name.span(),
            "[interfaces.lo]: the loopback interface cannot be managed",
            LOOPBACK_HELP,
        );
    }
}

fn located(s: &Spanned<String>) -> Located<String> {
    Located {
        value: s.get_ref().clone(),
        span: s.span(),
    }
}

/// Checks the `peer` of a veth declared on `name`; records the claim.
fn veth_peer(
    c: &mut Checker,
    name: &Spanned<String>,
    iface: &RawInterface,
    types: &IndexMap<String, Option<Spanned<String>>>,
    claimed: &mut IndexMap<String, String>,
) -> Option<String> {
    let Some(peer) = &iface.peer else {
        c.error(
            name.span(),
            format!("veth \"{}\" has no `peer`", name.get_ref()),
            "a veth is a pair: add `peer = \"NAME\"` naming its other end",
        );
        return None;
    };
    if !c.interface_name(peer) {
        return None;
    }
    let p = peer.get_ref();
    if p == LOOPBACK {
        c.error(
            peer.span(),
            format!(
                "veth \"{}\" cannot have lo, the loopback interface, as its peer",
                name.get_ref()
            ),
            "name a new interface as `peer`: aio creates it with the veth",
        );
        return None;
    }
    if p == name.get_ref() {
        c.error(
            peer.span(),
            format!("veth \"{p}\" is its own peer"),
            "name a different interface as `peer`",
        );
        return None;
    }
    if let Some(first) = claimed.get(p) {
        c.error(
            peer.span(),
            format!("\"{p}\" is already the peer of veth \"{first}\""),
            "each interface can be the end of one veth pair only: pick another peer name",
        );
        return None;
    }
    if let Some(Some(t)) = types.get(p) {
        c.error(
            t.span(),
            format!(
                "\"{p}\" is the peer of veth \"{}\" and cannot have its own type",
                name.get_ref()
            ),
            format!(
                "declare the pair once, on \"{}\": remove `type` from [interfaces.{p}]",
                name.get_ref()
            ),
        );
        return None;
    }
    claimed.insert(p.clone(), name.get_ref().clone());
    Some(p.clone())
}

/// Peers become `VethPeer`; a peer without a table of its own gets the defaults.
fn add_peers(
    out: &mut IndexMap<String, Interface>,
    raw: &Map<RawInterface>,
    peers: &IndexMap<String, String>,
) {
    for (peer, of) in peers {
        if let Some(iface) = out.get_mut(peer) {
            iface.kind = InterfaceKind::VethPeer { of: of.clone() };
            continue;
        }
        if raw.keys().any(|k| k.get_ref() == peer) {
            continue; // declared but invalid: already reported
        }
        let span = out.get(of).map_or(0..0, |v| v.name_span.clone());
        let index = out.get_index_of(of).map_or(out.len(), |i| i + 1);
        let implicit = Interface {
            name: peer.clone(),
            name_span: span,
            kind: InterfaceKind::VethPeer { of: of.clone() },
            peer_span: None,
            master: None,
            addresses: Vec::new(),
            state: AdminState::Up,
            mtu: None,
            mtu_span: None,
        };
        out.shift_insert(index, peer.clone(), implicit);
    }
}

fn check_masters(c: &mut Checker, out: &IndexMap<String, Interface>) {
    let mut reported_cycle = false;
    for iface in out.values() {
        let Some(master) = &iface.master else {
            continue;
        };
        if master.value == LOOPBACK {
            c.error(
                master.span.clone(),
                format!(
                    "\"{}\" cannot be enslaved to lo, the loopback interface",
                    iface.name
                ),
                "name a bridge as `master`",
            );
            continue;
        }
        if master.value == iface.name {
            c.error(
                master.span.clone(),
                format!("\"{}\" cannot be its own master", iface.name),
                "name a bridge as `master`",
            );
            continue;
        }
        let Some(target) = out.get(&master.value) else {
            continue;
        }; // must exist on the system
        if let Some(cycle) = master_cycle(out, &iface.name) {
            if !reported_cycle {
                c.error(
                    master.span.clone(),
                    format!("master cycle: {}", cycle.join(" -> ")),
                    "a bridge cannot be a port of a bridge: remove one `master`",
                );
                reported_cycle = true;
            }
            continue;
        }
        match target.kind {
            InterfaceKind::Bridge if iface.kind == InterfaceKind::Bridge => c.error(
                master.span.clone(),
                format!(
                    "bridge \"{}\" cannot be a port of bridge \"{}\"",
                    iface.name, master.value
                ),
                "Linux does not nest bridges: connect them with a veth pair",
            ),
            InterfaceKind::Bridge | InterfaceKind::Existing => {}
            _ => c.error(
                master.span.clone(),
                format!("master \"{}\" is a veth, not a bridge", master.value),
                "`master` must name an interface of `type = \"bridge\"`",
            ),
        }
    }
}

/// The chain of masters from `start` if it comes back to `start`.
fn master_cycle(out: &IndexMap<String, Interface>, start: &str) -> Option<Vec<String>> {
    let mut chain = vec![start.to_string()];
    let mut current = start;
    while let Some(next) = out.get(current).and_then(|i| i.master.as_ref()) {
        chain.push(next.value.clone());
        if next.value == start {
            return Some(chain);
        }
        if chain.len() > out.len() + 1 {
            return None;
        }
        current = &next.value;
    }
    None
}

/// Why `net`'s address cannot be an interface's own, if it cannot.
fn not_a_host_address(net: &IpNet) -> Option<&'static str> {
    let ip = net.addr();
    if ip.is_unspecified() {
        return Some("the unspecified address (0.0.0.0 or ::), which means every address");
    }
    if ip.is_loopback() {
        return Some("a loopback address, which belongs to lo");
    }
    if ip.is_multicast() {
        return Some("a multicast address");
    }
    if let IpNet::V4(v4) = net {
        if v4.addr().is_broadcast() {
            return Some("the broadcast address");
        }
        if v4.prefix_len() < 31 && v4.addr() == v4.broadcast() {
            return Some("its subnet's broadcast address");
        }
        if v4.addr().octets()[0] == 0 {
            return Some("in 0.0.0.0/8, which means this host on this network");
        }
    }
    None
}

/// One address twice, on two interfaces or on one: the second is refused.
fn check_unique_addresses(c: &mut Checker, out: &IndexMap<String, Interface>) {
    let mut seen: IndexMap<std::net::IpAddr, &str> = IndexMap::new();
    for iface in out.values() {
        for a in &iface.addresses {
            match seen.get(&a.value.addr()) {
                Some(first) if *first != iface.name => c.error(
                    a.span.clone(),
                    format!("{} is already the address of \"{first}\"", a.value.addr()),
                    "an address belongs to one interface: give this one another address",
                ),
                Some(_) => c.error(
                    a.span.clone(),
                    format!("{} is listed twice on \"{}\"", a.value.addr(), iface.name),
                    "remove one of them: an interface has each address once",
                ),
                None => {
                    seen.insert(a.value.addr(), &iface.name);
                }
            }
        }
    }
}

fn mtu(c: &mut Checker, m: &Spanned<i64>) -> Option<u32> {
    match u32::try_from(*m.get_ref()) {
        Ok(v) if MTU.contains(&v) => Some(v),
        _ => {
            c.error(
                m.span(),
                format!("mtu {} is out of range", m.get_ref()),
                format!("mtu is an integer from {} to {}", MTU.start(), MTU.end()),
            );
            None
        }
    }
}

fn address(c: &mut Checker, a: &Spanned<String>) -> Option<Located<IpNet>> {
    let text = a.get_ref();
    match text.parse::<IpNet>() {
        Ok(net) => match not_a_host_address(&net) {
            None => Some(Located {
                value: net,
                span: a.span(),
            }),
            Some(why) => {
                c.error(
                    a.span(),
                    format!("{net} cannot be an interface's address: it is {why}"),
                    "give the interface a unicast address of its own subnet, e.g. \"10.0.2.2/24\"",
                );
                None
            }
        },
        Err(_) => {
            let help = if !text.contains('/') && text.parse::<std::net::IpAddr>().is_ok() {
                format!("add the prefix length, e.g. \"{text}/24\"")
            } else {
                "write an address with its prefix length, e.g. \"10.0.2.2/24\" or \"fd00::1/64\""
                    .to_string()
            };
            c.error(
                a.span(),
                format!("\"{text}\" is not an address in CIDR form"),
                help,
            );
            None
        }
    }
}
