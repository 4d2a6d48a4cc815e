//! Which NIC is the uplink, its primary IPv4 address and the default
//! gateway; which interfaces carry a default route (the host's
//! connectivity); which interfaces exist.

use futures::TryStreamExt;
use ipnet::Ipv4Net;
use rtnetlink::Handle;
use rtnetlink::packet_route::route::{RouteAddress, RouteAttribute, RouteHeader, RouteType};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use aio_topology::{Facts, Protected, Uplink};

use crate::dump::Snapshot;
use crate::error::NetlinkError;

/// One next hop of a default route of the main table (a multipath route
/// has several).
struct Hop {
    oif: u32,
    gateway: Option<IpAddr>,
    metric: u32,
}

/// What the facts are read from: one dump of links and addresses, and the
/// default routes of each family. Nothing in it depends on the topology,
/// so it can be asked for while the file is still being parsed.
pub struct Seen {
    pub snapshot: Snapshot,
    v4: Vec<Hop>,
    v6: Vec<Hop>,
}

impl Seen {
    pub async fn take(handle: &Handle, netns: Option<&str>) -> Result<Seen, NetlinkError> {
        Ok(Seen {
            snapshot: Snapshot::take(handle, netns).await?,
            v4: default_hops::<Ipv4Addr>(handle).await?,
            v6: default_hops::<Ipv6Addr>(handle).await?,
        })
    }
}

/// The facts of what `seen` saw, for `uplink`. The dump is handed back
/// with them, for the run's first observation to reuse.
pub fn facts(seen: Seen, uplink: &Uplink) -> Result<(Facts, Snapshot), NetlinkError> {
    let Seen { snapshot, v4, v6 } = seen;
    // `auto`: the IPv4 default route with the lowest metric (the first of equals).
    let route = v4.iter().fold(None, |best: Option<&Hop>, h| match best {
        Some(b) if b.metric <= h.metric => Some(b),
        _ => Some(h),
    });
    let link = match uplink {
        Uplink::Named(name) => snapshot
            .link(name)
            .ok_or_else(|| NetlinkError::NoUplink(name.clone()))?,
        Uplink::Auto => {
            let oif = route.ok_or(NetlinkError::NoDefaultRoute)?.oif;
            snapshot
                .name_of(oif)
                .and_then(|n| snapshot.link(n))
                .ok_or(NetlinkError::NoDefaultRoute)?
        }
    };
    let primary = snapshot
        .addrs_of(link.index)
        .filter(|a| !a.secondary)
        .find_map(|a| match a.net.addr() {
            IpAddr::V4(v4) => Some((v4, a.net.prefix_len())),
            IpAddr::V6(_) => None,
        });
    // The primary first, then the rest (secondaries, a keepalived /32).
    let mut uplink_addresses: Vec<Ipv4Net> = snapshot
        .addrs_of(link.index)
        .filter_map(|a| match a.net {
            ipnet::IpNet::V4(v4) => Some(v4),
            ipnet::IpNet::V6(_) => None,
        })
        .collect();
    if let Some(i) = uplink_addresses
        .iter()
        .position(|n| primary.is_some_and(|(a, p)| n.addr() == a && n.prefix_len() == p))
    {
        let first = uplink_addresses.remove(i);
        uplink_addresses.insert(0, first);
    }
    let gateway = route
        .filter(|r| r.oif == link.index)
        .and_then(|r| match r.gateway {
            Some(IpAddr::V4(g)) => Some(g),
            _ => None,
        });
    let facts = Facts {
        uplink: Some(link.name.clone()),
        uplink_address: primary.map(|(a, _)| a),
        uplink_prefix: primary.map(|(_, p)| p),
        gateway,
        uplink_addresses,
        vip: None,
        protected: protected(&snapshot, v4.iter().chain(&v6)),
        // Every name, for the rule that a topology names only interfaces that exist.
        existing: snapshot.links.iter().map(|l| l.name.clone()).collect(),
    };
    Ok((facts, snapshot))
}

/// Every interface a default route goes through, with its addresses (IPv6
/// link-local left out) and those routes' gateways.
fn protected<'a>(snapshot: &Snapshot, hops: impl Iterator<Item = &'a Hop>) -> Vec<Protected> {
    let mut out: Vec<(u32, Protected)> = Vec::new();
    for hop in hops {
        if let Some((_, p)) = out.iter_mut().find(|(i, _)| *i == hop.oif) {
            p.gateways.extend(hop.gateway);
            continue;
        }
        let Some(name) = snapshot.name_of(hop.oif) else {
            continue;
        };
        let addresses = snapshot
            .addrs_of(hop.oif)
            .map(|a| a.net)
            .filter(|n| !matches!(n.addr(), IpAddr::V6(v6) if v6.is_unicast_link_local()))
            .collect();
        out.push((
            hop.oif,
            Protected {
                name: name.to_string(),
                addresses,
                gateways: hop.gateway.into_iter().collect(),
            },
        ));
    }
    out.into_iter().map(|(_, p)| p).collect()
}

/// The next hops of the main table's default routes in one family.
async fn default_hops<T>(handle: &Handle) -> Result<Vec<Hop>, rtnetlink::Error>
where
    rtnetlink::RouteMessageBuilder<T>: Default,
{
    let request = rtnetlink::RouteMessageBuilder::<T>::default().build();
    let mut dump = handle.route().get(request).execute();
    let mut out = Vec::new();
    while let Some(m) = dump.try_next().await? {
        // Without strict checking the kernel dumps every table: filter here.
        let mut table = u32::from(m.header.table);
        let (mut metric, mut oif, mut gateway) = (0, None, None);
        let mut multipath: Vec<(u32, Option<IpAddr>)> = Vec::new();
        for a in &m.attributes {
            match a {
                RouteAttribute::Table(t) => table = *t,
                RouteAttribute::Priority(p) => metric = *p,
                RouteAttribute::Oif(i) => oif = Some(*i),
                RouteAttribute::Gateway(g) => gateway = ip(g),
                // A multipath route: every next hop's interface carries it.
                RouteAttribute::MultiPath(next) => {
                    multipath.extend(next.iter().map(|h| {
                        let via = h.attributes.iter().find_map(|a| match a {
                            RouteAttribute::Gateway(g) => ip(g),
                            _ => None,
                        });
                        (h.interface_index, via)
                    }));
                }
                _ => {}
            }
        }
        let default =
            m.header.destination_prefix_length == 0 && m.header.kind == RouteType::Unicast;
        if !default || table != u32::from(RouteHeader::RT_TABLE_MAIN) {
            continue;
        }
        let hops = oif.map(|o| (o, gateway)).into_iter().chain(multipath);
        out.extend(hops.map(|(oif, gateway)| Hop {
            oif,
            gateway,
            metric,
        }));
    }
    Ok(out)
}

fn ip(address: &RouteAddress) -> Option<IpAddr> {
    match address {
        RouteAddress::Inet(g) => Some(IpAddr::V4(*g)),
        RouteAddress::Inet6(g) => Some(IpAddr::V6(*g)),
        _ => None,
    }
}
