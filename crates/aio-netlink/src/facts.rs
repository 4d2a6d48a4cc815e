//! Which NIC is the uplink, its primary IPv4 address and the default
//! gateway; which interfaces carry a default route (the host's
//! connectivity); which interfaces exist.

use ipnet::Ipv4Net;
use rtnetlink::Handle;
use std::net::IpAddr;

use aio_topology::{Facts, Protected, Uplink};

use crate::dump::Snapshot;
use crate::error::NetlinkError;
use crate::raw::beside;
use crate::route::{Family, Hop, default_hops};

/// What the facts are read from: one dump of links and addresses, and the
/// default routes of each family. Nothing in it depends on the topology,
/// so it can be asked for while the file is still being parsed.
pub struct Seen {
    pub snapshot: Snapshot,
    v4: Vec<Hop>,
    v6: Vec<Hop>,
}

impl Seen {
    /// The routes are dumped beside the links and addresses, each on a
    /// socket of its own.
    pub async fn take(handle: &Handle, netns: Option<&str>) -> Result<Seen, NetlinkError> {
        let ns = netns.map(str::to_string);
        let routes = beside(move || {
            let ns = ns.as_deref();
            Ok((default_hops(ns, Family::V4)?, default_hops(ns, Family::V6)?))
        });
        let (snapshot, routes) = tokio::join!(Snapshot::take(handle, netns), routes);
        let (v4, v6) = routes.map_err(NetlinkError::Routes)?;
        Ok(Seen {
            snapshot: snapshot?,
            v4,
            v6,
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
