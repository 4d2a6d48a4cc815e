//! One change to links or addresses, as netlink requests. Every link aio
//! creates or adopts gets a fresh mark (see [`crate::mark`]), set in the
//! request right after the one that creates it (the kernel ignores an
//! alias at creation); an update never touches it.

use ipnet::IpNet;
use rtnetlink::packet_route::link::LinkMessage;
use rtnetlink::{
    AddressMessageBuilder, Handle, LinkBridge, LinkMessageBuilder, LinkUnspec, LinkVeth,
};
use serde_json::Value;
use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use tracing::{debug, info};

use aio_engine::{Action, Attrs, Change, TypedAttrs};

use crate::errno;
use crate::id::{AddressAttrs, LinkAttrs, LinkSettings, LinkState, NetId};
use crate::mark;

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
    #[error("unexpected attributes: {0}")]
    Attributes(#[from] serde_json::Error),
}

type Result<T> = std::result::Result<T, OpError>;

/// Carries out `c`; `ix` knows every link `c` names that exists.
pub async fn apply(h: &Handle, ix: &Indexes, c: &Change) -> std::result::Result<(), String> {
    info!("netlink: {} {}", c.action.symbol(), c.id);
    run(h, ix, c).await.map_err(|e| {
        let root = matches!(&e, OpError::Netlink(n) if errno(n) == Some(EPERM));
        let hint = if root { " (aio needs root)" } else { "" };
        format!("{} {}: {e}{hint}", c.action.symbol(), c.id)
    })
}

async fn run(h: &Handle, ix: &Indexes, c: &Change) -> Result<()> {
    let empty = Attrs::new();
    let after = c.after.as_ref().unwrap_or(&empty);
    match (NetId::of(&c.id), c.action) {
        // Taking over a link marks it as aio's; an address is its link's.
        (Some(NetId::Link(name)), Action::Adopt) => set_mark(h, ix, name, &mark::fresh()).await,
        (Some(_), Action::Adopt) => Ok(()),
        (Some(NetId::Link(name)), Action::Create) => {
            create_link(h, ix, name, &LinkAttrs::from_attrs(after)?, false).await
        }
        (Some(NetId::Link(name)), Action::Update) => {
            let changed: Attrs = c
                .differences()
                .into_iter()
                .map(|(k, _, v)| (k.to_string(), v.clone()))
                .collect();
            set_link(h, ix, name, &LinkSettings::changed(&changed)?, None).await
        }
        (Some(NetId::Link(name)), Action::Delete) => delete_link(h, ix, name).await,
        (Some(NetId::Link(name)), Action::Replace) => {
            delete_link(h, ix, name).await?;
            create_link(h, ix, name, &LinkAttrs::from_attrs(after)?, true).await
        }
        (Some(NetId::Address { .. }), Action::Delete) => {
            let before = c.before.as_ref().unwrap_or(&empty);
            del_address(h, ix, &AddressAttrs::from_attrs(before)?).await
        }
        (Some(NetId::Address { .. }), _) => {
            add_address(h, ix, &AddressAttrs::from_attrs(after)?).await
        }
        (None, _) => Err(OpError::Missing(format!(
            "the netlink provider has no resources of kind `{}`",
            c.id.kind()
        ))),
    }
}

/// Link names and their indexes, as the provider last saw them: changes
/// name links, requests need indexes.
pub type Indexes = HashMap<String, u32>;

/// The links whose indexes `c` needs: itself, its master, its address's interface.
pub fn names_needed(c: &Change) -> impl Iterator<Item = &str> {
    let attrs = c.after.as_ref().or(c.before.as_ref());
    let text = |key: &str| attrs.and_then(|a| a.get(key)).and_then(Value::as_str);
    let (own, other) = match (NetId::of(&c.id), c.action) {
        (Some(NetId::Link(_)), Action::Update) => (None, text("master")),
        (Some(NetId::Link(name)), _) => (Some(name), text("master")),
        (Some(NetId::Address { interface, .. }), _) => (None, Some(interface)),
        (None, _) => (None, None),
    };
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
    after: &LinkAttrs,
    deleted: bool,
) -> Result<()> {
    let settings = LinkSettings::all(after);
    let mark = mark::fresh();
    let message = match (after.kind.as_deref(), after.peer.as_deref()) {
        (Some("bridge"), _) => return create_bridge(h, ix, name, settings, &mark).await,
        (Some("veth"), Some(peer)) => {
            // The second end of a pair already came with the first: only configure it.
            if !deleted && index_of(ix, name).is_some() {
                return set_link(h, ix, name, &settings, Some(&mark)).await;
            }
            with_settings(ix, LinkVeth::new(name, peer), &settings, None)?
        }
        (kind, _) => {
            return Err(OpError::Missing(format!(
                "aio cannot create a link of kind {} without what it needs",
                kind.unwrap_or("none")
            )));
        }
    };
    debug!(link = name, ?after, "netlink request: new link");
    h.link().add(message).execute().await?;
    set_mark(h, ix, name, &mark).await
}

/// A bridge takes an MTU given at creation only as a start: it then follows
/// its ports (the smallest; 1500 with none). An MTU set once the bridge
/// exists is its own and stays, whatever ports come and go (1500, already
/// a new bridge's, becomes its own once an apply puts it back). The MTU
/// goes with the mark.
async fn create_bridge(
    h: &Handle,
    ix: &Indexes,
    name: &str,
    settings: LinkSettings,
    mark: &str,
) -> Result<()> {
    let mtu = LinkSettings {
        mtu: settings.mtu,
        ..LinkSettings::default()
    };
    let first = LinkSettings {
        mtu: None,
        ..settings
    };
    let message = with_settings(ix, LinkBridge::new(name), &first, None)?;
    debug!(link = name, settings = ?first, "netlink request: new bridge");
    h.link().add(message).execute().await?;
    set_link(h, ix, name, &mtu, Some(mark)).await
}

/// Sets what `settings` sets on link `name`, and `mark` if given.
async fn set_link(
    h: &Handle,
    ix: &Indexes,
    name: &str,
    settings: &LinkSettings,
    mark: Option<&str>,
) -> Result<()> {
    // The kernel finds the link by IFLA_IFNAME when the index is 0.
    let message = with_settings(ix, LinkUnspec::new_with_name(name), settings, mark)?;
    debug!(link = name, ?settings, mark, "netlink request: set link");
    Ok(h.link().set(message).execute().await?)
}

/// Marks link `name` as aio's.
async fn set_mark(h: &Handle, ix: &Indexes, name: &str, mark: &str) -> Result<()> {
    set_link(h, ix, name, &LinkSettings::default(), Some(mark)).await
}

/// Adds what `settings` sets, and `mark` as the link's alias, to a request.
fn with_settings<T>(
    ix: &Indexes,
    mut b: LinkMessageBuilder<T>,
    settings: &LinkSettings,
    mark: Option<&str>,
) -> Result<LinkMessage> {
    match &settings.master {
        Some(Some(master)) => match index_of(ix, master) {
            Some(index) => b = b.controller(index),
            None => {
                return Err(OpError::Missing(format!(
                    "master \"{master}\" does not exist"
                )));
            }
        },
        Some(None) => b = b.nocontroller(),
        None => {}
    }
    match settings.state {
        Some(LinkState::Up) => b = b.up(),
        Some(LinkState::Down) => b = b.down(),
        None => {}
    }
    if let Some(mtu) = settings.mtu {
        b = b.mtu(mtu);
    }
    if let Some(mark) = mark {
        b = b.alias(mark);
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

fn address(attrs: &AddressAttrs) -> Result<(&str, IpNet)> {
    let net = attrs
        .address
        .parse()
        .map_err(|_| OpError::Missing(format!("`{}` is not an address", attrs.address)))?;
    Ok((&attrs.interface, net))
}

async fn add_address(h: &Handle, ix: &Indexes, attrs: &AddressAttrs) -> Result<()> {
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

async fn del_address(h: &Handle, ix: &Indexes, attrs: &AddressAttrs) -> Result<()> {
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
