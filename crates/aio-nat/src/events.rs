//! What nftables announces, for `aio watch`: a netlink socket in the
//! nftables multicast group (the events `nft monitor` prints), in the
//! network namespace aio works in. Of each message only its type, its
//! family and the name of the table it is about are read: whether it can
//! concern aio's table ([`concerns_aio`]).

use netlink_sys::protocols::NETLINK_NETFILTER;
use netlink_sys::{AsyncSocket, AsyncSocketExt, SocketAddr, TokioSocket};
use tokio::sync::mpsc;

use crate::ruleset::TABLE;

/// The netfilter multicast group of nftables' changes (`NFNLGRP_NFTABLES`).
const NFNLGRP_NFTABLES: u32 = 7;
/// nftables' subsystem in a netfilter message's type (`NFNL_SUBSYS_NFTABLES`).
const NFNL_SUBSYS_NFTABLES: u16 = 10;
/// `NFPROTO_IPV4`: the family of table `ip aio`.
const NFPROTO_IPV4: u8 = 2;
/// `NFT_MSG_NEWGEN`: the end of a transaction, naming no table.
const NFT_MSG_NEWGEN: u8 = 16;
/// Attribute 1 names the table in every other message nftables announces
/// (`NFTA_TABLE_NAME`, `NFTA_CHAIN_TABLE`, `NFTA_RULE_TABLE`, `NFTA_SET_TABLE`, …).
const NFTA_TABLE: u16 = 1;
/// An attribute's type without its flags (`NLA_TYPE_MASK`).
const NLA_TYPE_MASK: u16 = 0x3fff;
/// `struct nlmsghdr`, `struct nfgenmsg`, `struct nlattr`.
const NLMSG_HEADER: usize = 16;
const NFGENMSG: usize = 4;
const NLA_HEADER: usize = 4;
/// The largest datagram read at once: nftables' notifications fit in a page.
const DATAGRAM: usize = 64 * 1024;
/// Room for a burst of events (a large ruleset loaded by someone else).
const RECEIVE_BUFFER: usize = 1024 * 1024;

/// What one datagram from nftables means for aio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// A change of table `ip aio`, or one that cannot be read: aio's rules may have changed.
    Ours,
    /// Changes of other tables only.
    Theirs,
}

/// Why nftables' events cannot be followed.
#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    #[error(transparent)]
    Netns(#[from] aio_netns::NetnsError),
    #[error("cannot open a netlink socket for nftables' events: {0}")]
    Socket(#[source] std::io::Error),
}

/// An item whenever nftables announces a change that may concern table
/// `ip aio` in network namespace `netns` (or the caller's), until the
/// receiver is dropped. Other tables' changes are dropped by the reader;
/// changes heard while an item is still unread make no second one (one
/// look at the table covers them all). Events lost because they came
/// faster than they were read count as aio's.
pub async fn events(netns: Option<&str>) -> Result<mpsc::Receiver<()>, EventsError> {
    let runtime = tokio::runtime::Handle::current();
    let socket = aio_netns::run_in(netns, move || {
        // The socket registers with the runtime's reactor when it is made.
        let _guard = runtime.enter();
        let mut socket = TokioSocket::new(NETLINK_NETFILTER)?;
        let inner = socket.socket_mut();
        inner.bind(&SocketAddr::new(0, 0))?;
        inner.add_membership(NFNLGRP_NFTABLES)?;
        // Best effort: a smaller buffer loses events sooner, which is told too.
        let _ = inner.set_rx_buf_sz(RECEIVE_BUFFER);
        Ok(socket)
    })?
    .map_err(EventsError::Socket)?;
    let (tx, rx) = mpsc::channel(1);
    tokio::spawn(async move {
        let mut buf: Vec<u8> = Vec::with_capacity(DATAGRAM);
        loop {
            buf.clear();
            let heard = match socket.recv(&mut buf).await {
                Ok(()) => concerns_aio(&buf),
                // The kernel dropped events it could not queue: one may have been ours.
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => Heard::Ours,
                Err(e) => {
                    tracing::warn!("nftables' events are no longer followed: {e}");
                    return;
                }
            };
            if pass_on(heard, &tx) == Reader::Stop {
                return;
            }
        }
    });
    Ok(rx)
}

/// Whether the reader goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    Continue,
    Stop,
}

/// Sends an item for a change of aio's, unless one is still unread; other
/// tables' changes are not sent. Stops when the receiver is gone.
fn pass_on(heard: Heard, tx: &mpsc::Sender<()>) -> Reader {
    if heard == Heard::Theirs {
        return if tx.is_closed() {
            Reader::Stop
        } else {
            Reader::Continue
        };
    }
    match tx.try_send(()) {
        Ok(()) | Err(mpsc::error::TrySendError::Full(())) => Reader::Continue,
        Err(mpsc::error::TrySendError::Closed(())) => Reader::Stop,
    }
}

/// Whether a datagram of netlink messages from nftables can concern table
/// `ip aio`: a change in it (its rules flushed, its chain deleted), its
/// deletion (`nft flush ruleset` deletes every table). What cannot be
/// read is taken as possibly aio's.
pub fn concerns_aio(datagram: &[u8]) -> Heard {
    let mut rest = datagram;
    while rest.len() >= NLMSG_HEADER {
        let len = u32_at(rest, 0) as usize;
        if len < NLMSG_HEADER || len > rest.len() {
            return Heard::Ours;
        }
        let kind = u16_at(rest, 4);
        if kind >> 8 == NFNL_SUBSYS_NFTABLES && message_concerns_aio(kind, &rest[NLMSG_HEADER..len])
        {
            return Heard::Ours;
        }
        rest = rest.get(align(len)..).unwrap_or_default();
    }
    Heard::Theirs
}

/// Whether one nftables message (`kind`, and its payload after the netlink
/// header) is about table `ip aio`.
fn message_concerns_aio(kind: u16, payload: &[u8]) -> bool {
    if kind & 0xff == u16::from(NFT_MSG_NEWGEN) {
        return false;
    }
    let Some(&family) = payload.first() else {
        return true;
    };
    if payload.len() < NFGENMSG {
        return true;
    }
    match table_name(&payload[NFGENMSG..]) {
        Some(name) => family == NFPROTO_IPV4 && name == TABLE.as_bytes(),
        None => true,
    }
}

/// The table named by attribute 1 among `attributes`, without its NUL.
fn table_name(mut attributes: &[u8]) -> Option<&[u8]> {
    while attributes.len() >= NLA_HEADER {
        let len = usize::from(u16_at(attributes, 0));
        if len < NLA_HEADER || len > attributes.len() {
            return None;
        }
        if u16_at(attributes, 2) & NLA_TYPE_MASK == NFTA_TABLE {
            let value = &attributes[NLA_HEADER..len];
            return Some(value.strip_suffix(&[0]).unwrap_or(value));
        }
        attributes = attributes.get(align(len)..).unwrap_or_default();
    }
    None
}

/// Netlink aligns messages and attributes to 4 bytes.
fn align(len: usize) -> usize {
    len.div_ceil(4) * 4
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A netlink message from nftables: `message` (`NFT_MSG_*`) of `family`
    /// with attributes `(type, value)`.
    fn message(message: u8, family: u8, attributes: &[(u16, &[u8])]) -> Vec<u8> {
        let mut body = vec![family, 0, 0, 0];
        for (kind, value) in attributes {
            let len = NLA_HEADER + value.len();
            body.extend((len as u16).to_ne_bytes());
            body.extend(kind.to_ne_bytes());
            body.extend(*value);
            body.resize(align(body.len()), 0);
        }
        let mut out = Vec::new();
        out.extend(((NLMSG_HEADER + body.len()) as u32).to_ne_bytes());
        out.extend(((NFNL_SUBSYS_NFTABLES << 8) | u16::from(message)).to_ne_bytes());
        out.extend([0u8; 10]);
        out.extend(body);
        out
    }

    const NEWTABLE: u8 = 0;
    const DELTABLE: u8 = 2;
    const DELRULE: u8 = 8;

    #[test]
    fn a_change_of_table_ip_aio_is_ours_and_other_tables_are_not() {
        let aio = message(
            DELRULE,
            NFPROTO_IPV4,
            &[(NFTA_TABLE, b"aio\0"), (2, b"post\0")],
        );
        assert_eq!(concerns_aio(&aio), Heard::Ours);
        let deleted = message(
            DELTABLE,
            NFPROTO_IPV4,
            &[(2, b"\0\0\0\x01"), (NFTA_TABLE, b"aio\0")],
        );
        assert_eq!(concerns_aio(&deleted), Heard::Ours);
        for other in [
            message(NEWTABLE, NFPROTO_IPV4, &[(NFTA_TABLE, b"nat\0")]),
            message(DELTABLE, NFPROTO_IPV4, &[(NFTA_TABLE, b"aiox\0")]),
            // inet aio is someone else's table.
            message(DELRULE, 1, &[(NFTA_TABLE, b"aio\0")]),
            message(NFT_MSG_NEWGEN, 0, &[(NFTA_TABLE, b"\0\0\0\x07")]),
        ] {
            assert_eq!(concerns_aio(&other), Heard::Theirs);
        }
    }

    #[test]
    fn one_message_of_ours_in_a_datagram_is_enough() {
        let mut datagram = message(NEWTABLE, NFPROTO_IPV4, &[(NFTA_TABLE, b"filter\0")]);
        datagram.extend(message(DELRULE, NFPROTO_IPV4, &[(NFTA_TABLE, b"aio\0")]));
        assert_eq!(concerns_aio(&datagram), Heard::Ours);
    }

    #[test]
    fn only_changes_of_aio_reach_the_receiver_and_unread_ones_make_one_item() {
        let (tx, mut rx) = mpsc::channel(1);
        assert_eq!(pass_on(Heard::Theirs, &tx), Reader::Continue);
        assert!(rx.try_recv().is_err(), "another table's change was sent");
        assert_eq!(pass_on(Heard::Ours, &tx), Reader::Continue);
        assert_eq!(pass_on(Heard::Ours, &tx), Reader::Continue);
        assert_eq!(rx.try_recv(), Ok(()));
        assert!(rx.try_recv().is_err(), "two items for one look");
        drop(rx);
        assert_eq!(pass_on(Heard::Theirs, &tx), Reader::Stop);
        assert_eq!(pass_on(Heard::Ours, &tx), Reader::Stop);
    }

    #[test]
    fn what_cannot_be_read_may_be_ours() {
        let whole = message(DELRULE, NFPROTO_IPV4, &[(NFTA_TABLE, b"nat\0")]);
        assert_eq!(concerns_aio(&whole[..whole.len() - 4]), Heard::Ours);
        let no_table = message(DELRULE, NFPROTO_IPV4, &[(2, b"post\0")]);
        assert_eq!(concerns_aio(&no_table), Heard::Ours);
        assert_eq!(concerns_aio(&[]), Heard::Theirs);
    }
}
