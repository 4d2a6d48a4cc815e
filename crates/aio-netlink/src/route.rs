//! The default routes of the main table, for the facts: one dump per
//! address family, asked with the kernel filtering by table and type (a
//! thousand bridges with addresses bring three thousand routes, of the
//! local and main tables, where the facts need one).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::lean::{NLMSG_HDRLEN, align, attributes, payload, u16_at, u32_at};
use crate::raw::{Filtered, dump, header};

const RTM_NEWROUTE: u16 = 24;
const RTM_GETROUTE: u16 = 26;
const RTMSG_LEN: usize = 12;
const RT_TABLE_MAIN: u8 = 254;
const RTN_UNICAST: u8 = 1;
const RTA_OIF: u16 = 4;
const RTA_GATEWAY: u16 = 5;
const RTA_PRIORITY: u16 = 6;
const RTA_MULTIPATH: u16 = 9;
const RTA_TABLE: u16 = 15;
/// `struct rtnexthop`: length, flags, hops, interface index.
const RTNH_LEN: usize = 8;

/// An address family whose default routes are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    fn number(self) -> u8 {
        match self {
            Family::V4 => libc::AF_INET as u8,
            Family::V6 => libc::AF_INET6 as u8,
        }
    }
}

/// One next hop of a default route of the main table (a multipath route
/// has several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub oif: u32,
    pub gateway: Option<IpAddr>,
    pub metric: u32,
}

/// The next hops of the main table's default routes of `family` in
/// network namespace `netns` (or the caller's).
pub fn default_hops(netns: Option<&str>, family: Family) -> io::Result<Vec<Hop>> {
    let mut out = Vec::new();
    dump(netns, &request(family), Filtered::ByHeader, |kind, m| {
        if kind == RTM_NEWROUTE {
            out.extend(hops(m));
        }
    })?;
    Ok(out)
}

/// `RTM_GETROUTE` for the main table's unicast routes of `family`. Strict
/// checking takes the header's table and type as filters; its other
/// fields must be zero (a protocol would be a filter too).
fn request(family: Family) -> Vec<u8> {
    let mut m = header(NLMSG_HDRLEN + RTMSG_LEN, RTM_GETROUTE);
    m.extend_from_slice(&[family.number(), 0, 0, 0, RT_TABLE_MAIN, 0, 0, RTN_UNICAST]);
    m.extend_from_slice(&0u32.to_ne_bytes());
    m
}

/// The next hops of one route message, if it is a default route of the
/// main table (checked here too: a kernel without strict checking sends
/// every route of every table).
fn hops(message: &[u8]) -> Vec<Hop> {
    let Some(rtm) = message.get(NLMSG_HDRLEN..NLMSG_HDRLEN + RTMSG_LEN) else {
        return Vec::new();
    };
    let (dst_len, mut table, kind) = (rtm[1], u32::from(rtm[4]), rtm[7]);
    let (mut metric, mut oif, mut gateway) = (0, None, None);
    let mut multipath = Vec::new();
    for (t, nla) in attributes(&message[NLMSG_HDRLEN + RTMSG_LEN..]) {
        let payload = payload(nla);
        let number = || (payload.len() >= 4).then(|| u32_at(payload, 0));
        match t {
            RTA_TABLE => table = number().unwrap_or(table),
            RTA_PRIORITY => metric = number().unwrap_or(0),
            RTA_OIF => oif = number(),
            RTA_GATEWAY => gateway = ip(payload),
            // A multipath route: every next hop's interface carries it.
            RTA_MULTIPATH => multipath = next_hops(payload),
            _ => {}
        }
    }
    if dst_len != 0 || kind != RTN_UNICAST || table != u32::from(RT_TABLE_MAIN) {
        return Vec::new();
    }
    oif.map(|o| (o, gateway))
        .into_iter()
        .chain(multipath)
        .map(|(oif, gateway)| Hop {
            oif,
            gateway,
            metric,
        })
        .collect()
}

/// The interface and gateway of each `struct rtnexthop` in `b`.
fn next_hops(b: &[u8]) -> Vec<(u32, Option<IpAddr>)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + RTNH_LEN <= b.len() {
        let len = usize::from(u16_at(b, at));
        if len < RTNH_LEN || at + len > b.len() {
            break;
        }
        let via = attributes(&b[at + RTNH_LEN..at + len])
            .find(|(t, _)| *t == RTA_GATEWAY)
            .and_then(|(_, nla)| ip(payload(nla)));
        out.push((u32_at(b, at + 4), via));
        at += align(len);
    }
    out
}

fn ip(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => Some(IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(b).ok()?))),
        16 => Some(IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(b).ok()?))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lean::wire::{message, nla};

    fn route(dst_len: u8, table: u8, kind: u8, attrs: &[Vec<u8>]) -> Vec<u8> {
        let mut body = vec![2, dst_len, 0, 0, table, 4, 0, kind];
        body.extend_from_slice(&0u32.to_ne_bytes());
        attrs.iter().for_each(|a| body.extend(a));
        message(RTM_NEWROUTE, &body)
    }

    fn hop(index: u32, gateway: [u8; 4]) -> Vec<u8> {
        let via = nla(RTA_GATEWAY, &gateway);
        let mut out = ((RTNH_LEN + via.len()) as u16).to_ne_bytes().to_vec();
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&index.to_ne_bytes());
        out.extend(via);
        out
    }

    #[test]
    fn a_default_route_gives_its_interface_gateway_and_metric() {
        let m = route(
            0,
            RT_TABLE_MAIN,
            RTN_UNICAST,
            &[
                nla(RTA_TABLE, &254u32.to_ne_bytes()),
                nla(RTA_PRIORITY, &100u32.to_ne_bytes()),
                nla(RTA_GATEWAY, &[192, 0, 2, 1]),
                nla(RTA_OIF, &2u32.to_ne_bytes()),
            ],
        );
        let gateway = Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
        assert_eq!(
            hops(&m),
            [Hop {
                oif: 2,
                gateway,
                metric: 100
            }]
        );
    }

    #[test]
    fn every_hop_of_a_multipath_route_carries_it() {
        let mut both = hop(3, [10, 0, 0, 1]);
        both.extend(hop(4, [10, 0, 1, 1]));
        let m = route(0, RT_TABLE_MAIN, RTN_UNICAST, &[nla(RTA_MULTIPATH, &both)]);
        let found: Vec<(u32, Option<IpAddr>)> =
            hops(&m).into_iter().map(|h| (h.oif, h.gateway)).collect();
        assert_eq!(
            found,
            [
                (3, Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)))),
                (4, Some(IpAddr::V4(Ipv4Addr::new(10, 0, 1, 1)))),
            ]
        );
    }

    #[test]
    fn routes_that_are_not_default_unicast_routes_of_the_main_table_give_nothing() {
        let oif = nla(RTA_OIF, &2u32.to_ne_bytes());
        for m in [
            route(24, RT_TABLE_MAIN, RTN_UNICAST, std::slice::from_ref(&oif)),
            route(0, 255, 2, std::slice::from_ref(&oif)), // the local table
            route(0, 252, RTN_UNICAST, std::slice::from_ref(&oif)),
            // A table past 255 is named by RTA_TABLE only.
            route(
                0,
                252,
                RTN_UNICAST,
                &[oif.clone(), nla(RTA_TABLE, &1000u32.to_ne_bytes())],
            ),
        ] {
            assert_eq!(hops(&m), []);
        }
        assert_eq!(hops(&message(RTM_NEWROUTE, &[2, 0])), []);
    }
}
