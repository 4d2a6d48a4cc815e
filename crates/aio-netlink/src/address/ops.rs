//! Adding and deleting an address, as netlink requests.

use ipnet::IpNet;
use rtnetlink::{AddressMessageBuilder, Handle};
use std::net::{Ipv4Addr, Ipv6Addr};
use tracing::debug;

use crate::address::attrs::AddressAttrs;
use crate::change_error::OpError;
use crate::error::{EADDRNOTAVAIL, EEXIST, ENODEV, errno};
use crate::indexes::{Indexes, index_of};

type Result<T> = std::result::Result<T, OpError>;

fn address(attrs: &AddressAttrs) -> Result<(&str, IpNet)> {
    let net = attrs
        .address
        .parse()
        .map_err(|_| OpError::NotAnAddress(attrs.address.clone()))?;
    Ok((&attrs.interface, net))
}

/// Adds the address; one already there is fine.
pub async fn add(h: &Handle, ix: &Indexes, attrs: &AddressAttrs) -> Result<()> {
    let (iface, net) = address(attrs)?;
    let Some(index) = index_of(ix, iface) else {
        return Err(OpError::NoInterface(iface.to_string()));
    };
    debug!(link = iface, index, address = %net, "netlink request: new address");
    match h
        .address()
        .add(index, net.addr(), net.prefix_len())
        .execute()
        .await
    {
        Err(e) if errno(&e) == Some(EEXIST) => Ok(()),
        other => Ok(other?),
    }
}

/// Deletes the address; one gone already, or gone with its link, is fine.
pub async fn delete(h: &Handle, ix: &Indexes, attrs: &AddressAttrs) -> Result<()> {
    let (iface, net) = address(attrs)?;
    let Some(index) = index_of(ix, iface) else {
        return Ok(());
    };
    let message = match net {
        IpNet::V4(n) => AddressMessageBuilder::<Ipv4Addr>::new()
            .index(index)
            .address(n.addr(), n.prefix_len())
            .build(),
        IpNet::V6(n) => AddressMessageBuilder::<Ipv6Addr>::new()
            .index(index)
            .address(n.addr(), n.prefix_len())
            .build(),
    };
    debug!(link = iface, index, address = %net, "netlink request: delete address");
    match h.address().del(message).execute().await {
        Err(e) if matches!(errno(&e), Some(EADDRNOTAVAIL | ENODEV)) => Ok(()),
        other => Ok(other?),
    }
}
