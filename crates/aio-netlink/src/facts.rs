//! Which NIC is the uplink, and its primary IPv4 address.

use futures::TryStreamExt;
use rtnetlink::Handle;
use rtnetlink::packet_route::route::{RouteAttribute, RouteHeader, RouteType};
use std::net::{IpAddr, Ipv4Addr};

use aio_topology::{Facts, Uplink};

use crate::NetlinkError;
use crate::dump::Snapshot;

/// The uplink (`auto`: the interface of the IPv4 default route with the
/// lowest metric) and its primary IPv4 address.
pub async fn facts(handle: &Handle, uplink: &Uplink) -> Result<Facts, NetlinkError> {
    let snapshot = Snapshot::take(handle).await?;
    let link = match uplink {
        Uplink::Named(name) => snapshot
            .link(name)
            .ok_or_else(|| NetlinkError::NoUplink(name.clone()))?,
        Uplink::Auto => {
            let index = default_route_oif(handle)
                .await?
                .ok_or(NetlinkError::NoDefaultRoute)?;
            let name = snapshot
                .name_of(index)
                .ok_or(NetlinkError::NoDefaultRoute)?;
            snapshot.link(name).expect("named from the same snapshot")
        }
    };
    let address = snapshot
        .addrs_of(link.index)
        .filter(|a| !a.secondary)
        .find_map(|a| match a.net.addr() {
            IpAddr::V4(v4) => Some(v4),
            IpAddr::V6(_) => None::<Ipv4Addr>,
        });
    Ok(Facts {
        uplink: Some(link.name.clone()),
        uplink_address: address,
        vip: None,
    })
}

/// The output interface of the main table's IPv4 default route with the lowest metric.
async fn default_route_oif(handle: &Handle) -> Result<Option<u32>, rtnetlink::Error> {
    let request = rtnetlink::RouteMessageBuilder::<Ipv4Addr>::new().build();
    let mut dump = handle.route().get(request).execute();
    let mut best: Option<(u32, u32)> = None; // (metric, oif)
    while let Some(m) = dump.try_next().await? {
        // Without strict checking the kernel dumps every table: filter here.
        let mut table = u32::from(m.header.table);
        let (mut metric, mut oif) = (0, None);
        for a in &m.attributes {
            match a {
                RouteAttribute::Table(t) => table = *t,
                RouteAttribute::Priority(p) => metric = *p,
                RouteAttribute::Oif(i) => oif = Some(*i),
                _ => {}
            }
        }
        let default =
            m.header.destination_prefix_length == 0 && m.header.kind == RouteType::Unicast;
        let main = table == u32::from(RouteHeader::RT_TABLE_MAIN);
        if let Some(oif) = oif.filter(|_| default && main)
            && best.is_none_or(|(m, _)| metric < m)
        {
            best = Some((metric, oif));
        }
    }
    Ok(best.map(|(_, oif)| oif))
}
