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

/// One announcement: a link (by index, and name when given) or an address
/// of a link changed, or announcements were lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Link {
        index: u32,
        name: Option<String>,
    },
    Address {
        index: u32,
    },
    /// The kernel dropped announcements that found the socket's buffer
    /// full (`ENOBUFS`): any link may have changed meanwhile. It happens
    /// when many links change at once while watch is busy, such as the
    /// carrier changes the kernel announces in the seconds after thousands
    /// of links were made.
    Lost,
}

/// Room for a burst of announcements: each queued one takes the kernel's
/// whole message (a link's is over a kilobyte), so the default buffer
/// holds only a couple of hundred.
const RECEIVE_BUFFER: usize = 4 * 1024 * 1024;

/// Makes the receive buffer of `socket` `bytes` large: past
/// `net.core.rmem_max` where aio may (`SO_RCVBUFFORCE`, as root), else as
/// far as that allows. Best effort: a smaller buffer only loses
/// announcements sooner, and that is heard ([`Event::Lost`]).
fn enlarge(socket: &rtnetlink::sys::Socket, bytes: usize) {
    use std::os::fd::AsRawFd;
    let size = libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX);
    let len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: setsockopt reads `len` bytes at `&size`, a live c_int, from
    // a socket `socket` owns.
    let forced = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUFFORCE,
            std::ptr::from_ref(&size).cast(),
            len,
        )
    } == 0;
    if !forced {
        let _ = socket.set_rx_buf_sz(bytes);
    }
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
        enlarge(connection.socket_mut().socket_mut(), RECEIVE_BUFFER);
        runtime.spawn(connection);
        runtime.spawn(async move {
            while let Some((message, _)) = messages.next().await {
                let inner = match message.payload {
                    NetlinkPayload::InnerMessage(inner) => inner,
                    // netlink-proto's word for a read that failed with ENOBUFS.
                    NetlinkPayload::Overrun(_) => {
                        if tx.send(Event::Lost).is_err() {
                            break;
                        }
                        continue;
                    }
                    _ => continue,
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
