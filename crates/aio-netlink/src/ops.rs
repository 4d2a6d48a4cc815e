//! One change to links or addresses, as netlink requests.

use ipnet::IpNet;
use rtnetlink::packet_route::link::LinkMessage;
use rtnetlink::{
    AddressMessageBuilder, Handle, LinkBridge, LinkMessageBuilder, LinkUnspec, LinkVeth,
};
use serde_json::Value;
use std::collections::HashMap;
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

/// Carries out `c`; `ix` knows every link `c` names that exists.
pub async fn apply(h: &Handle, ix: &Indexes, c: &Change) -> std::result::Result<(), String> {
    info!("netlink: {} {}", c.action.symbol(), c.id);
    let name = c.id.name();
    let empty = Attrs::new();
    let after = c.after.as_ref().unwrap_or(&empty);
    let result = match (c.id.kind(), c.action) {
        ("link", Action::Create) => create_link(h, ix, name, after, false).await,
        ("link", Action::Update) => {
            let changed: Attrs = c
                .differences()
                .into_iter()
                .map(|(k, _, v)| (k.to_string(), v.clone()))
                .collect();
            set_link(h, ix, name, &changed).await
        }
        ("link", Action::Delete) => delete_link(h, ix, name).await,
        ("link", Action::Replace) => match delete_link(h, ix, name).await {
            Ok(()) => create_link(h, ix, name, after, true).await,
            Err(e) => Err(e),
        },
        ("address", Action::Delete) => {
            del_address(h, ix, c.before.as_ref().unwrap_or(&empty)).await
        }
        ("address", _) => add_address(h, ix, after).await,
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

/// Link names and their indexes, as the provider last saw them: changes
/// name links, requests need indexes.
pub type Indexes = HashMap<String, u32>;

/// The links whose indexes `c` needs: itself, its master, its address's interface.
pub fn names_needed(c: &Change) -> impl Iterator<Item = &str> {
    let attrs = c.after.as_ref().or(c.before.as_ref());
    let own = match (c.id.kind(), c.action) {
        ("link", Action::Update) => None,
        ("link", _) => Some(c.id.name()),
        _ => None,
    };
    let other = attrs.and_then(|a| match c.id.kind() {
        "link" => text(a, "master"),
        _ => text(a, "interface"),
    });
    own.into_iter().chain(other)
}

fn index_of(ix: &Indexes, name: &str) -> Option<u32> {
    ix.get(name).copied()
}

/// Creates link `name`; `deleted`: it was just deleted (its index in `ix` is gone).
async fn create_link(
    h: &Handle,
    ix: &Indexes,
    name: &str,
    after: &Attrs,
    deleted: bool,
) -> Result<()> {
    let message = match (text(after, "kind"), text(after, "peer")) {
        (Some("bridge"), _) => with_settings(ix, LinkBridge::new(name), after)?,
        (Some("veth"), Some(peer)) => {
            // The second end of a pair already came with the first: only configure it.
            if !deleted && index_of(ix, name).is_some() {
                return set_link(h, ix, name, after).await;
            }
            with_settings(ix, LinkVeth::new(name, peer), after)?
        }
        _ => unreachable!("the provider's check refuses links it cannot create"),
    };
    debug!(link = name, attrs = %serde_json::Value::Object(after.clone()), "netlink request: new link");
    Ok(h.link().add(message).execute().await?)
}

async fn set_link(h: &Handle, ix: &Indexes, name: &str, attrs: &Attrs) -> Result<()> {
    // The kernel finds the link by IFLA_IFNAME when the index is 0.
    let message = with_settings(ix, LinkUnspec::new_with_name(name), attrs)?;
    debug!(link = name, attrs = %serde_json::Value::Object(attrs.clone()), "netlink request: set link");
    Ok(h.link().set(message).execute().await?)
}

/// Adds `master`, `state` and `mtu` from `attrs` (those present) to a request.
fn with_settings<T>(
    ix: &Indexes,
    mut b: LinkMessageBuilder<T>,
    attrs: &Attrs,
) -> Result<LinkMessage> {
    match attrs.get("master") {
        Some(Value::String(master)) => match index_of(ix, master) {
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

async fn delete_link(h: &Handle, ix: &Indexes, name: &str) -> Result<()> {
    let Some(index) = index_of(ix, name) else {
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

async fn add_address(h: &Handle, ix: &Indexes, attrs: &Attrs) -> Result<()> {
    let (iface, net) = address(attrs)?;
    let Some(index) = index_of(ix, iface) else {
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

async fn del_address(h: &Handle, ix: &Indexes, attrs: &Attrs) -> Result<()> {
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
