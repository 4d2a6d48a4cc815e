//! One change to links or addresses, as netlink requests.

use futures::TryStreamExt;
use ipnet::IpNet;
use rtnetlink::packet_route::link::LinkMessage;
use rtnetlink::{
    AddressMessageBuilder, Handle, LinkBridge, LinkMessageBuilder, LinkUnspec, LinkVeth,
};
use serde_json::Value;
use std::net::{Ipv4Addr, Ipv6Addr};
use tracing::{debug, info};

use aio_engine::{Action, Attrs, Change};

use crate::errno;

const EPERM: i32 = 1;
const EEXIST: i32 = 17;
const ENODEV: i32 = 19;
const EADDRNOTAVAIL: i32 = 99;

#[derive(Debug, thiserror::Error)]
enum OpError {
    #[error(transparent)]
    Netlink(#[from] rtnetlink::Error),
    #[error("{0}")]
    Missing(String),
}

type Result<T> = std::result::Result<T, OpError>;

pub async fn apply(h: &Handle, c: &Change) -> std::result::Result<(), String> {
    info!("netlink: {} {}", c.action.symbol(), c.id);
    let name = c.id.name();
    let empty = Attrs::new();
    let after = c.after.as_ref().unwrap_or(&empty);
    let result = match (c.id.kind(), c.action) {
        ("link", Action::Create) => create_link(h, name, after).await,
        ("link", Action::Update) => {
            let changed: Attrs = c
                .differences()
                .into_iter()
                .map(|(k, _, v)| (k.to_string(), v.clone()))
                .collect();
            set_link(h, name, &changed).await
        }
        ("link", Action::Delete) => delete_link(h, name).await,
        ("link", Action::Replace) => match delete_link(h, name).await {
            Ok(()) => create_link(h, name, after).await,
            Err(e) => Err(e),
        },
        ("address", Action::Delete) => del_address(h, c.before.as_ref().unwrap_or(&empty)).await,
        ("address", _) => add_address(h, after).await,
        (kind, _) => {
            return Err(format!(
                "the netlink provider has no resources of kind `{kind}`"
            ));
        }
    };
    result.map_err(|e| {
        let root = matches!(&e, OpError::Netlink(n) if errno(n) == Some(EPERM));
        let hint = if root {
            " (aio needs root: run it with sudo)"
        } else {
            ""
        };
        format!("{} {}: {e}{hint}", c.action.symbol(), c.id)
    })
}

fn text<'a>(attrs: &'a Attrs, key: &str) -> Option<&'a str> {
    attrs.get(key).and_then(Value::as_str)
}

/// The index of the link called `name`, if there is one.
async fn index_of(h: &Handle, name: &str) -> Result<Option<u32>> {
    debug!(link = name, "netlink request: get link");
    match h
        .link()
        .get()
        .match_name(name.to_string())
        .execute()
        .try_next()
        .await
    {
        Ok(m) => Ok(m.map(|m| m.header.index)),
        Err(e) if errno(&e) == Some(ENODEV) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn create_link(h: &Handle, name: &str, after: &Attrs) -> Result<()> {
    let message = match (text(after, "kind"), text(after, "peer")) {
        (Some("bridge"), _) => with_settings(h, LinkBridge::new(name), after).await?,
        (Some("veth"), Some(peer)) => {
            // The second end of a pair already came with the first: only configure it.
            if index_of(h, name).await?.is_some() {
                return set_link(h, name, after).await;
            }
            with_settings(h, LinkVeth::new(name, peer), after).await?
        }
        _ => unreachable!("the provider's check refuses links it cannot create"),
    };
    debug!(link = name, attrs = %serde_json::Value::Object(after.clone()), "netlink request: new link");
    Ok(h.link().add(message).execute().await?)
}

async fn set_link(h: &Handle, name: &str, attrs: &Attrs) -> Result<()> {
    // The kernel finds the link by IFLA_IFNAME when the index is 0.
    let message = with_settings(h, LinkUnspec::new_with_name(name), attrs).await?;
    debug!(link = name, attrs = %serde_json::Value::Object(attrs.clone()), "netlink request: set link");
    Ok(h.link().set(message).execute().await?)
}

/// Adds `master`, `state` and `mtu` from `attrs` (those present) to a request.
async fn with_settings<T>(
    h: &Handle,
    mut b: LinkMessageBuilder<T>,
    attrs: &Attrs,
) -> Result<LinkMessage> {
    match attrs.get("master") {
        Some(Value::String(master)) => match index_of(h, master).await? {
            Some(index) => b = b.controller(index),
            None => {
                return Err(OpError::Missing(format!(
                    "master \"{master}\" does not exist"
                )));
            }
        },
        Some(Value::Null) => b = b.nocontroller(),
        _ => {}
    }
    match text(attrs, "state") {
        Some("up") => b = b.up(),
        Some("down") => b = b.down(),
        _ => {}
    }
    if let Some(mtu) = attrs.get("mtu").and_then(Value::as_u64) {
        b = b.mtu(mtu as u32);
    }
    Ok(b.build())
}

async fn delete_link(h: &Handle, name: &str) -> Result<()> {
    let Some(index) = index_of(h, name).await? else {
        return Ok(());
    };
    debug!(link = name, index, "netlink request: delete link");
    match h.link().del(index).execute().await {
        Err(e) if errno(&e) == Some(ENODEV) => Ok(()), // went with its veth peer
        other => Ok(other?),
    }
}

fn address(attrs: &Attrs) -> Result<(&str, IpNet)> {
    let bad = || OpError::Missing("address resource without interface/address".into());
    let iface = text(attrs, "interface").ok_or_else(bad)?;
    let net = text(attrs, "address")
        .and_then(|a| a.parse().ok())
        .ok_or_else(bad)?;
    Ok((iface, net))
}

async fn add_address(h: &Handle, attrs: &Attrs) -> Result<()> {
    let (iface, net) = address(attrs)?;
    let Some(index) = index_of(h, iface).await? else {
        return Err(OpError::Missing(format!(
            "interface \"{iface}\" does not exist"
        )));
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

async fn del_address(h: &Handle, attrs: &Attrs) -> Result<()> {
    let (iface, net) = address(attrs)?;
    let Some(index) = index_of(h, iface).await? else {
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
