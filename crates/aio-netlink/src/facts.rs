//! Which NIC is the uplink, its primary IPv4 address and the default gateway.

use futures::TryStreamExt;
use rtnetlink::Handle;
use rtnetlink::packet_route::route::{RouteAddress, RouteAttribute, RouteHeader, RouteType};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use aio_topology::{Facts, Protected, Uplink};

use crate::NetlinkError;
use crate::dump::{Snapshot, Which};

/// The main table's IPv4 default route with the lowest metric.
struct DefaultRoute {
    oif: u32,
    gateway: Option<Ipv4Addr>,
}

/// The uplink (`auto`: the interface of the IPv4 default route with the
/// lowest metric), its primary IPv4 address and the default gateway.
pub async fn facts(handle: &Handle, uplink: &Uplink) -> Result<Facts, NetlinkError> {
    // The uplink alone, by name or by the route's interface: no dump of every link.
    let route = default_route(handle).await?;
    let protected = protected(handle).await?;
    // Every name, for the rule that a topology names only interfaces that exist.
    let existing = Snapshot::links_only(handle)
        .await?
        .links
        .into_iter()
        .map(|l| l.name)
        .collect();
    let snapshot = match uplink {
        Uplink::Named(name) => Snapshot::one(handle, Which::Name(name)).await?,
        Uplink::Auto => {
            let index = route.as_ref().ok_or(NetlinkError::NoDefaultRoute)?.oif;
            Snapshot::one(handle, Which::Index(index)).await?
        }
    };
    let link = match uplink {
        Uplink::Named(name) => snapshot
            .link(name)
            .ok_or_else(|| NetlinkError::NoUplink(name.clone()))?,
        Uplink::Auto => snapshot.links.first().ok_or(NetlinkError::NoDefaultRoute)?,
    };
    let primary = snapshot
        .addrs_of(link.index)
        .filter(|a| !a.secondary)
        .find_map(|a| match a.net.addr() {
            IpAddr::V4(v4) => Some((v4, a.net.prefix_len())),
            IpAddr::V6(_) => None,
        });
    Ok(Facts {
        uplink: Some(link.name.clone()),
        uplink_address: primary.map(|(a, _)| a),
        uplink_prefix: primary.map(|(_, p)| p),
        gateway: route
            .filter(|r| r.oif == link.index)
            .and_then(|r| r.gateway),
        vip: None,
        protected,
        existing,
    })
}

/// Every interface that carries a default route (IPv4 or IPv6, main table),
/// with its addresses and those routes' gateways.
async fn protected(handle: &Handle) -> Result<Vec<Protected>, NetlinkError> {
    let mut routes = default_routes::<Ipv4Addr>(handle).await?;
    routes.extend(default_routes::<Ipv6Addr>(handle).await?);
    let mut out: Vec<(u32, Protected)> = Vec::new();
    for (oif, gateway) in routes {
        if let Some((_, p)) = out.iter_mut().find(|(i, _)| *i == oif) {
            p.gateways.extend(gateway);
            continue;
        }
        let snapshot = Snapshot::one(handle, Which::Index(oif)).await?;
        let Some(link) = snapshot.links.first() else {
            continue;
        };
        let addresses = snapshot
            .addrs_of(link.index)
            .map(|a| a.net)
            .filter(|n| !matches!(n.addr(), IpAddr::V6(v6) if v6.is_unicast_link_local()))
            .collect();
        out.push((
            oif,
            Protected {
                name: link.name.clone(),
                addresses,
                gateways: gateway.into_iter().collect(),
            },
        ));
    }
    Ok(out.into_iter().map(|(_, p)| p).collect())
}

/// `(oif, gateway)` of each default route of the main table in one family,
/// one per next hop of a multipath route.
async fn default_routes<T>(handle: &Handle) -> Result<Vec<(u32, Option<IpAddr>)>, rtnetlink::Error>
where
    rtnetlink::RouteMessageBuilder<T>: Default,
{
    let request = rtnetlink::RouteMessageBuilder::<T>::default().build();
    let mut dump = handle.route().get(request).execute();
    let mut out = Vec::new();
    while let Some(m) = dump.try_next().await? {
        let mut table = u32::from(m.header.table);
        let mut hops: Vec<(u32, Option<IpAddr>)> = Vec::new();
        let (mut oif, mut gateway) = (None, None);
        for a in &m.attributes {
            match a {
                RouteAttribute::Table(t) => table = *t,
                RouteAttribute::Oif(i) => oif = Some(*i),
                RouteAttribute::Gateway(g) => gateway = ip(g),
                // A multipath route: every next hop's interface carries it.
                RouteAttribute::MultiPath(next) => hops.extend(next.iter().map(|h| {
                    let via = h.attributes.iter().find_map(|a| match a {
                        RouteAttribute::Gateway(g) => ip(g),
                        _ => None,
                    });
                    (h.interface_index, via)
                })),
                _ => {}
            }
        }
        hops.extend(oif.map(|o| (o, gateway)));
        let default =
            m.header.destination_prefix_length == 0 && m.header.kind == RouteType::Unicast;
        if default && table == u32::from(RouteHeader::RT_TABLE_MAIN) {
            out.extend(hops);
        }
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

async fn default_route(handle: &Handle) -> Result<Option<DefaultRoute>, rtnetlink::Error> {
    let request = rtnetlink::RouteMessageBuilder::<Ipv4Addr>::new().build();
    let mut dump = handle.route().get(request).execute();
    let mut best: Option<(u32, DefaultRoute)> = None; // (metric, route)
    while let Some(m) = dump.try_next().await? {
        // Without strict checking the kernel dumps every table: filter here.
        let mut table = u32::from(m.header.table);
        let (mut metric, mut oif, mut gateway) = (0, None, None);
        for a in &m.attributes {
            match a {
                RouteAttribute::Table(t) => table = *t,
                RouteAttribute::Priority(p) => metric = *p,
                RouteAttribute::Oif(i) => oif = Some(*i),
                RouteAttribute::Gateway(RouteAddress::Inet(g)) => gateway = Some(*g),
                // A multipath route: its first next hop stands for it.
                RouteAttribute::MultiPath(hops) if oif.is_none() => {
                    if let Some(h) = hops.first() {
                        oif = Some(h.interface_index);
                        gateway = h.attributes.iter().find_map(|a| match a {
                            RouteAttribute::Gateway(RouteAddress::Inet(g)) => Some(*g),
                            _ => None,
                        });
                    }
                }
                _ => {}
            }
        }
        let default =
            m.header.destination_prefix_length == 0 && m.header.kind == RouteType::Unicast;
        let main = table == u32::from(RouteHeader::RT_TABLE_MAIN);
        if let Some(oif) = oif.filter(|_| default && main)
            && best.as_ref().is_none_or(|(m, _)| metric < *m)
        {
            best = Some((metric, DefaultRoute { oif, gateway }));
        }
    }
    Ok(best.map(|(_, r)| r))
}
