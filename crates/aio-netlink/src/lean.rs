//! The socket under aio's netlink connection: it hands on each link message
//! with only the attributes aio reads.
//!
//! The kernel describes a link in ~2 KB (statistics, per-protocol settings,
//! bridge and bridge-port options); decoded, that is ~10 KB, and a dump is
//! decoded whole before the first message is read. For a thousand bridges
//! and veth pairs that was 30 MB and most of a no-op plan's time, for five
//! fields. So every `RTM_NEWLINK` (and `RTM_DELLINK`, which `aio watch` hears
//! as often) received is cut down, before decoding, to
//! its header (index, flags), `IFLA_IFNAME`, `IFLA_MTU`, `IFLA_LINK`,
//! `IFLA_LINK_NETNSID`, `IFLA_MASTER`, `IFLA_IFALIAS` (aio's mark) and
//! `IFLA_LINKINFO`'s `IFLA_INFO_KIND`: what [`crate::link::dump`] reads. Every other message passes unchanged.

use bytes::BufMut;
use rtnetlink::sys::{AsyncSocket, Socket, SocketAddr, TokioSocket};
use std::io;
use std::sync::Mutex;
use std::task::{Context, Poll, ready};

pub(crate) const RTM_NEWLINK: u16 = 16;
const RTM_DELLINK: u16 = 17;
pub(crate) const NLMSG_HDRLEN: usize = 16;
pub(crate) const IFINFOMSG_LEN: usize = 16;
pub(crate) const NLA_HDRLEN: usize = 4;
const NLA_TYPE_MASK: u16 = 0x3fff;
pub(crate) const IFLA_IFNAME: u16 = 3;
pub(crate) const IFLA_MTU: u16 = 4;
pub(crate) const IFLA_LINK: u16 = 5;
pub(crate) const IFLA_MASTER: u16 = 10;
pub(crate) const IFLA_LINKINFO: u16 = 18;
pub(crate) const IFLA_IFALIAS: u16 = 20;
pub(crate) const IFLA_LINK_NETNSID: u16 = 37;
pub(crate) const IFLA_INFO_KIND: u16 = 1;
/// What one receive may bring (the kernel's dump chunks are at most 32 KB).
pub(crate) const DATAGRAM: usize = 64 * 1024;

/// A [`TokioSocket`] whose received link messages are cut down (see the module).
pub struct LeanSocket {
    inner: TokioSocket,
    /// Where a datagram lands before it is cut down.
    scratch: Mutex<Vec<u8>>,
}

impl AsyncSocket for LeanSocket {
    fn socket_ref(&self) -> &Socket {
        self.inner.socket_ref()
    }

    fn socket_mut(&mut self) -> &mut Socket {
        self.inner.socket_mut()
    }

    fn new(protocol: isize) -> io::Result<Self> {
        Ok(LeanSocket {
            inner: TokioSocket::new(protocol)?,
            scratch: Mutex::new(Vec::with_capacity(DATAGRAM)),
        })
    }

    fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.inner.poll_send(cx, buf)
    }

    fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        addr: &SocketAddr,
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_send_to(cx, buf, addr)
    }

    fn poll_recv<B: BufMut>(&self, cx: &mut Context<'_>, buf: &mut B) -> Poll<io::Result<()>> {
        let mut scratch = self
            .scratch
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        scratch.clear();
        ready!(self.inner.poll_recv(cx, &mut *scratch))?;
        trim(&scratch, buf);
        Poll::Ready(Ok(()))
    }

    fn poll_recv_from<B: BufMut>(
        &self,
        cx: &mut Context<'_>,
        buf: &mut B,
    ) -> Poll<io::Result<SocketAddr>> {
        let mut scratch = self
            .scratch
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        scratch.clear();
        let addr = ready!(self.inner.poll_recv_from(cx, &mut *scratch))?;
        trim(&scratch, buf);
        Poll::Ready(Ok(addr))
    }

    fn poll_recv_from_full(&self, cx: &mut Context<'_>) -> Poll<io::Result<(Vec<u8>, SocketAddr)>> {
        let (data, addr) = ready!(self.inner.poll_recv_from_full(cx))?;
        let mut out = Vec::with_capacity(data.len());
        trim(&data, &mut out);
        Poll::Ready(Ok((out, addr)))
    }
}

pub(crate) fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes([b[at], b[at + 1]])
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

pub(crate) fn align(n: usize) -> usize {
    (n + 3) & !3
}

/// What an attribute (as [`attributes`] gives it) carries, without its
/// header and padding.
pub(crate) fn payload(nla: &[u8]) -> &[u8] {
    &nla[NLA_HDRLEN..usize::from(u16_at(nla, 0))]
}

/// The attributes (type, whole attribute with header and padding) in `b`.
pub(crate) fn attributes(b: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at + NLA_HDRLEN > b.len() {
            return None;
        }
        let len = usize::from(u16_at(b, at));
        if len < NLA_HDRLEN || at + len > b.len() {
            return None;
        }
        let end = (at + align(len)).min(b.len());
        let nla = &b[at..end];
        at = end;
        Some((u16_at(nla, 2) & NLA_TYPE_MASK, nla))
    })
}

/// Copies the netlink messages of `datagram` to `out`, link messages cut down.
/// Anything that does not parse as netlink is copied as it is, for the
/// decoder to judge.
fn trim(datagram: &[u8], out: &mut impl BufMut) {
    let mut at = 0;
    while at + NLMSG_HDRLEN <= datagram.len() {
        let len = u32_at(datagram, at) as usize;
        if len < NLMSG_HDRLEN || at + len > datagram.len() {
            break;
        }
        let message = &datagram[at..at + len];
        let link = matches!(u16_at(message, 4), RTM_NEWLINK | RTM_DELLINK);
        let written = if link && len >= NLMSG_HDRLEN + IFINFOMSG_LEN {
            trim_link(message, out)
        } else {
            out.put_slice(message);
            len
        };
        at += align(len);
        if at < datagram.len() {
            out.put_bytes(0, align(written) - written);
        }
    }
    if at < datagram.len() {
        out.put_slice(&datagram[at..]);
    }
}

/// What of a link message's attribute aio keeps: all of it, or (for
/// `IFLA_LINKINFO`) its `IFLA_INFO_KIND` alone.
fn kept(kind: u16, nla: &[u8]) -> Option<&[u8]> {
    match kind {
        IFLA_IFNAME | IFLA_MTU | IFLA_LINK | IFLA_MASTER | IFLA_LINK_NETNSID | IFLA_IFALIAS => {
            Some(nla)
        }
        IFLA_LINKINFO => {
            let nested = payload(nla);
            attributes(nested)
                .find(|(t, _)| *t == IFLA_INFO_KIND)
                .map(|(_, a)| a)
        }
        _ => None,
    }
}

/// Writes `message` with only the kept attributes; returns its new length.
fn trim_link(message: &[u8], out: &mut impl BufMut) -> usize {
    let fixed = NLMSG_HDRLEN + IFINFOMSG_LEN;
    let size = |kind: u16, a: &[u8]| match kind {
        IFLA_LINKINFO => NLA_HDRLEN + align(a.len()),
        _ => align(a.len()),
    };
    let attrs =
        || attributes(&message[fixed..]).filter_map(|(t, nla)| kept(t, nla).map(|a| (t, a)));
    let len = fixed + attrs().map(|(t, a)| size(t, a)).sum::<usize>();
    out.put_u32_ne(len as u32);
    out.put_slice(&message[4..fixed]);
    for (kind, a) in attrs() {
        if kind == IFLA_LINKINFO {
            out.put_u16_ne(size(kind, a) as u16);
            out.put_u16_ne(IFLA_LINKINFO);
        }
        out.put_slice(a);
        out.put_bytes(0, align(a.len()) - a.len());
    }
    len
}

/// Netlink messages built by hand, for the tests of what parses them.
#[cfg(test)]
pub(crate) mod wire {
    use super::{NLA_HDRLEN, NLMSG_HDRLEN, align};

    pub(crate) fn nla(kind: u16, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&((NLA_HDRLEN + payload.len()) as u16).to_ne_bytes());
        out.extend_from_slice(&kind.to_ne_bytes());
        out.extend_from_slice(payload);
        out.resize(align(out.len()), 0);
        out
    }

    /// One message of a dump (`NLM_F_MULTI`, sequence 1), padded.
    pub(crate) fn message(kind: u16, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&((NLMSG_HDRLEN + body.len()) as u32).to_ne_bytes());
        out.extend_from_slice(&kind.to_ne_bytes());
        out.extend_from_slice(&2u16.to_ne_bytes()); // NLM_F_MULTI
        out.extend_from_slice(&1u32.to_ne_bytes());
        out.extend_from_slice(&0u32.to_ne_bytes());
        out.extend_from_slice(body);
        out.resize(align(out.len()), 0);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::wire::{message, nla};
    use super::*;
    use rtnetlink::packet_core::{NetlinkMessage, NetlinkPayload};
    use rtnetlink::packet_route::RouteNetlinkMessage;
    use rtnetlink::packet_route::link::{InfoKind, LinkAttribute, LinkFlags, LinkInfo};

    /// A bridge port the way the kernel describes it: name, counters, mtu,
    /// kind with its options, master, alias.
    fn bridge_link() -> Vec<u8> {
        let mut body = vec![0, 0, 1, 0]; // family, pad, type ARPHRD_ETHER
        body.extend_from_slice(&7i32.to_ne_bytes());
        body.extend_from_slice(&1u32.to_ne_bytes()); // IFF_UP
        body.extend_from_slice(&0u32.to_ne_bytes());
        body.extend(nla(IFLA_IFNAME, b"b0\0"));
        body.extend(nla(13, &1000u32.to_ne_bytes())); // IFLA_TXQLEN
        body.extend(nla(IFLA_MTU, &1500u32.to_ne_bytes()));
        body.extend(nla(23, &[0; 64])); // IFLA_STATS64
        let mut info = nla(IFLA_INFO_KIND, b"bridge\0");
        info.extend(nla(2, &nla(1, &[0; 4]))); // IFLA_INFO_DATA
        body.extend(nla(IFLA_LINKINFO, &info));
        body.extend(nla(IFLA_MASTER, &3u32.to_ne_bytes()));
        body.extend(nla(IFLA_IFALIAS, b"aio:00c0ffee\0"));
        message(RTM_NEWLINK, &body)
    }

    /// `datagram` cut down (it must get shorter) and decoded.
    fn trimmed(datagram: &[u8]) -> RouteNetlinkMessage {
        let mut out = Vec::new();
        trim(datagram, &mut out);
        assert!(out.len() < datagram.len());
        let parsed = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&out).unwrap();
        match parsed.payload {
            NetlinkPayload::InnerMessage(m) => m,
            other => panic!("not a route message: {other:?}"),
        }
    }

    #[test]
    fn a_link_message_keeps_what_aio_reads() {
        let RouteNetlinkMessage::NewLink(link) = trimmed(&bridge_link()) else {
            panic!("not a new link");
        };
        assert_eq!(link.header.index, 7);
        assert!(link.header.flags.contains(LinkFlags::Up));
        assert_eq!(
            link.attributes,
            [
                LinkAttribute::IfName("b0".into()),
                LinkAttribute::Mtu(1500),
                LinkAttribute::LinkInfo(vec![LinkInfo::Kind(InfoKind::Bridge)]),
                LinkAttribute::Controller(3),
                LinkAttribute::IfAlias("aio:00c0ffee".into()),
            ]
        );
    }

    #[test]
    fn a_deleted_link_announced_is_cut_down_too() {
        let mut datagram = bridge_link();
        datagram[4..6].copy_from_slice(&RTM_DELLINK.to_ne_bytes());
        let RouteNetlinkMessage::DelLink(link) = trimmed(&datagram) else {
            panic!("not a deleted link");
        };
        assert_eq!(link.header.index, 7);
        assert_eq!(link.attributes[0], LinkAttribute::IfName("b0".into()));
        assert_eq!(link.attributes.len(), 5);
    }

    #[test]
    fn other_messages_pass_unchanged_and_stay_aligned() {
        let done = message(3, &0i32.to_ne_bytes()); // NLMSG_DONE
        let mut datagram = bridge_link();
        datagram.extend(&done);
        datagram.extend(bridge_link());
        let mut out = Vec::new();
        trim(&datagram, &mut out);
        let first = u32_at(&out, 0) as usize;
        assert_eq!(first % 4, 0);
        assert_eq!(&out[first..first + done.len()], &done[..]);
        let second = &out[first + done.len()..];
        assert_eq!(second, &out[..first]);
    }
}
