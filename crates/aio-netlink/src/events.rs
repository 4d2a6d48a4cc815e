//! What the kernel announces about links and addresses, for `aio watch`: a
//! second netlink socket subscribed to the link and address groups. Link
//! messages come through cut down to what aio reads (see `lean.rs`): a storm
//! of someone else's links costs little to hear.

use futures::StreamExt;
use rtnetlink::constants::{RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR, RTMGRP_LINK};
use rtnetlink::packet_core::NetlinkPayload;
use rtnetlink::packet_route::RouteNetlinkMessage;
use rtnetlink::packet_route::link::LinkAttribute;
use rtnetlink::sys::{AsyncSocket, SocketAddr};
use tokio::sync::mpsc;

use crate::error::NetlinkError;
use crate::lean::LeanSocket;

/// One announcement: a link (by index, and name when given) or an address of a link changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Link { index: u32, name: Option<String> },
    Address { index: u32 },
}

/// Announcements from network namespace `netns` (or the caller's), until the receiver is dropped.
pub async fn events(netns: Option<&str>) -> Result<mpsc::UnboundedReceiver<Event>, NetlinkError> {
    let runtime = tokio::runtime::Handle::current();
    let (tx, rx) = mpsc::unbounded_channel();
    aio_netns::run_in(netns, move || {
        let _guard = runtime.enter();
        let (mut connection, _, mut messages) =
            rtnetlink::new_connection_with_socket::<LeanSocket>()?;
        let groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
        connection
            .socket_mut()
            .socket_mut()
            .bind(&SocketAddr::new(0, groups))?;
        runtime.spawn(connection);
        runtime.spawn(async move {
            while let Some((message, _)) = messages.next().await {
                let NetlinkPayload::InnerMessage(inner) = message.payload else {
                    continue;
                };
                let event = match inner {
                    RouteNetlinkMessage::NewLink(m) | RouteNetlinkMessage::DelLink(m) => {
                        let name = m.attributes.iter().find_map(|a| match a {
                            LinkAttribute::IfName(n) => Some(n.clone()),
                            _ => None,
                        });
                        Event::Link {
                            index: m.header.index,
                            name,
                        }
                    }
                    RouteNetlinkMessage::NewAddress(m) | RouteNetlinkMessage::DelAddress(m) => {
                        Event::Address {
                            index: m.header.index,
                        }
                    }
                    _ => continue,
                };
                if tx.send(event).is_err() {
                    break;
                }
            }
        });
        Ok(())
    })?
    .map_err(NetlinkError::Socket)?;
    Ok(rx)
}
