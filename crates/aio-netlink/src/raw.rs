//! A dump read straight off a netlink socket of its own: each message is
//! handed on as it arrives, parsed by the caller into what it keeps, and
//! nothing else is kept. Used where rtnetlink's connection would decode
//! every message whole first (a link's is ~2 KB, a thousand routes are
//! parsed attribute by attribute), and where a dump should run beside the
//! run's shared connection, which takes one dump at a time.

use rtnetlink::sys::{Socket, SocketAddr, protocols::NETLINK_ROUTE};
use std::io;

use crate::lean::{DATAGRAM, NLMSG_HDRLEN, align, u16_at, u32_at};

const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_DUMP: u16 = 0x300;
const SEQ: u32 = 1;

/// Whether the kernel is asked to filter the dump by what the request's
/// header names (`NETLINK_GET_STRICT_CHK`). A kernel without it (before
/// 4.20) sends everything: a caller filters the same way again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Filtered {
    No,
    ByHeader,
}

/// Sends `request` (a whole netlink message) to the kernel from a socket
/// in `netns` (or the caller's namespace) and hands every message of its
/// dump, with its type, to `each`. A refusal from the kernel is its error.
pub(crate) fn dump(
    netns: Option<&str>,
    request: &[u8],
    filtered: Filtered,
    mut each: impl FnMut(u16, &[u8]),
) -> io::Result<()> {
    let socket =
        aio_netns::run_in(netns, || Socket::new(NETLINK_ROUTE)).map_err(io::Error::other)??;
    if filtered == Filtered::ByHeader {
        let _ = socket.set_netlink_get_strict_chk(true);
    }
    socket.connect(&SocketAddr::new(0, 0))?;
    socket.send(request, 0)?;
    let mut datagram: Vec<u8> = Vec::with_capacity(DATAGRAM);
    loop {
        datagram.clear();
        socket.recv(&mut datagram, 0)?;
        if read(&datagram, &mut each)? {
            return Ok(());
        }
    }
}

/// The header of a dump request of `kind`, for a message of `len` bytes.
pub(crate) fn header(len: usize, kind: u16) -> Vec<u8> {
    let mut m = Vec::with_capacity(len);
    m.extend_from_slice(&(len as u32).to_ne_bytes());
    m.extend_from_slice(&kind.to_ne_bytes());
    m.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    m.extend_from_slice(&SEQ.to_ne_bytes());
    m.extend_from_slice(&0u32.to_ne_bytes());
    m
}

/// Hands the messages of one datagram to `each`; whether the dump is done.
pub(crate) fn read(datagram: &[u8], each: &mut impl FnMut(u16, &[u8])) -> io::Result<bool> {
    let mut at = 0;
    while at + NLMSG_HDRLEN <= datagram.len() {
        let len = u32_at(datagram, at) as usize;
        if len < NLMSG_HDRLEN || at + len > datagram.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a truncated netlink message",
            ));
        }
        let message = &datagram[at..at + len];
        match u16_at(message, 4) {
            NLMSG_DONE => return Ok(true),
            NLMSG_ERROR if len >= NLMSG_HDRLEN + 4 => {
                let code = u32_at(message, NLMSG_HDRLEN) as i32;
                if code != 0 {
                    return Err(io::Error::from_raw_os_error(-code));
                }
            }
            kind => each(kind, message),
        }
        at += align(len);
    }
    Ok(false)
}

/// Runs `dump` on a thread of tokio's blocking pool, beside the caller's
/// other requests.
pub(crate) async fn beside<T: Send + 'static>(
    dump: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    match tokio::task::spawn_blocking(dump).await {
        Ok(done) => done,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(io::Error::other(e)),
    }
}
