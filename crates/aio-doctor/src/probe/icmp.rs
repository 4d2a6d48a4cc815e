//! ICMP echo from a raw socket, with the don't-fragment bit set: the
//! packet is exactly `size` bytes of IPv4 on the wire, or it does not
//! leave. Made in the probe's namespace; sends and waits on the caller's
//! thread.

use std::io;
use std::mem::MaybeUninit;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

/// IPv4 header (20 bytes, no options) and ICMP header (8 bytes).
pub const HEADERS: usize = 28;
const ECHO_REQUEST: u8 = 8;
const ECHO_REPLY: u8 = 0;

/// A raw ICMP socket that sets DF on what it sends.
pub struct Pinger {
    socket: socket2::Socket,
    id: u16,
}

impl Pinger {
    /// A socket in the calling thread's network namespace.
    pub fn new() -> io::Result<Pinger> {
        use socket2::{Domain, Protocol, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::ICMPV4))?;
        let on = libc::IP_PMTUDISC_DO;
        // SAFETY: a valid socket, an int option of the size given.
        let set = unsafe {
            libc::setsockopt(
                std::os::fd::AsRawFd::as_raw_fd(&socket),
                libc::IPPROTO_IP,
                libc::IP_MTU_DISCOVER,
                (&raw const on).cast(),
                std::mem::size_of_val(&on) as libc::socklen_t,
            )
        };
        if set != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Pinger { socket, id: id() })
    }

    /// Sends echo requests of `size` bytes of IPv4 to `to` every half
    /// second until one is answered or `deadline` passes; the round trip
    /// of the answered one.
    pub fn echo(
        &self,
        to: Ipv4Addr,
        size: usize,
        deadline: Duration,
    ) -> io::Result<Option<Duration>> {
        let payload = size.saturating_sub(HEADERS);
        let end = Instant::now() + deadline;
        while Instant::now() < end {
            let seq = next_seq();
            let sent = Instant::now();
            let packet = request(self.id, seq, payload);
            match self
                .socket
                .send_to(&packet, &SocketAddrV4::new(to, 0).into())
            {
                // Too big for the first link with DF: that is the answer.
                Err(e) if e.raw_os_error() == Some(libc::EMSGSIZE) => return Ok(None),
                other => other?,
            };
            let resend = (sent + Duration::from_millis(500)).min(end);
            if self.wait_reply(to, seq, resend)? {
                return Ok(Some(sent.elapsed()));
            }
        }
        Ok(None)
    }

    /// Reads until a reply of ours from `from` arrives (true) or `until`.
    fn wait_reply(&self, from: Ipv4Addr, seq: u16, until: Instant) -> io::Result<bool> {
        let mut buf = vec![MaybeUninit::<u8>::uninit(); 65_536];
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            self.socket.set_read_timeout(Some(left))?;
            let (n, addr) = match self.socket.recv_from(&mut buf) {
                Ok(got) => got,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(false);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            // SAFETY: recv_from initialised the first n bytes.
            let got: Vec<u8> = buf[..n]
                .iter()
                .map(|b| unsafe { b.assume_init() })
                .collect();
            let sender = addr.as_socket_ipv4().map(|a| *a.ip());
            if sender == Some(from) && is_reply(&got, self.id, seq) {
                return Ok(true);
            }
        }
    }
}

/// The next echo sequence number of this process: unique across probes,
/// so a late answer to one echo never passes for another's.
pub fn next_seq() -> u16 {
    static SEQ: AtomicU16 = AtomicU16::new(0);
    SEQ.fetch_add(1, Ordering::Relaxed).wrapping_add(1)
}

/// The echo identifier of this process's probes.
pub fn id() -> u16 {
    (std::process::id() & 0xffff) as u16
}

/// An echo request: type, code, checksum, id, sequence, then `payload` bytes.
pub fn request(id: u16, seq: u16, payload: usize) -> Vec<u8> {
    let mut p = vec![0u8; 8 + payload];
    p[0] = ECHO_REQUEST;
    p[4..6].copy_from_slice(&id.to_be_bytes());
    p[6..8].copy_from_slice(&seq.to_be_bytes());
    for (i, b) in p[8..].iter_mut().enumerate() {
        *b = (i % 251) as u8;
    }
    let sum = checksum(&p);
    p[2..4].copy_from_slice(&sum.to_be_bytes());
    p
}

/// Whether IPv4 `packet` (header first, as a raw socket hands it over)
/// is an echo reply carrying `id` and `seq`.
pub fn is_reply(packet: &[u8], id: u16, seq: u16) -> bool {
    let Some(first) = packet.first() else {
        return false;
    };
    let ihl = usize::from(first & 0x0f) * 4;
    let Some(icmp) = packet.get(ihl..) else {
        return false;
    };
    icmp.len() >= 8
        && icmp[0] == ECHO_REPLY
        && icmp[4..6] == id.to_be_bytes()
        && icmp[6..8] == seq.to_be_bytes()
}

/// The Internet checksum (RFC 1071).
pub fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_checksums_to_zero_and_a_reply_is_recognised() {
        let p = request(0x1234, 7, 1472);
        assert_eq!(p.len(), 1480);
        assert_eq!(checksum(&p), 0, "a packet with its checksum sums to 0");
        let mut reply = vec![0x45u8; 20];
        reply.extend_from_slice(&p);
        reply[20] = ECHO_REPLY;
        assert!(is_reply(&reply, 0x1234, 7));
        assert!(
            !is_reply(&reply, 0x1234, 6),
            "a late answer to another echo"
        );
        assert!(!is_reply(&reply, 0x4321, 7));
        assert!(!is_reply(&reply[..22], 0x1234, 7));
        assert!(!is_reply(&[], 0x1234, 7));
    }
}
