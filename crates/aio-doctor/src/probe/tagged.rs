//! Echo on a VLAN without a VLAN device: whole 802.1Q frames written to
//! and read from a packet socket on the probe's link. The probe needs no
//! `8021q` module, and its kernel never answers for the VLAN's address
//! (a tagged frame without a VLAN device is dropped before IP). ARP first,
//! for the target's MAC, then ICMP echo in IPv4 with DF.

use std::io;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use aio_arp::frame::{self, Socket};

use super::icmp;

const TPID: [u8; 2] = [0x81, 0x00];
const IPV4: [u8; 2] = [0x08, 0x00];
/// IPv4 header: version 4, 20 bytes; DF; TTL 64; ICMP.
const DONT_FRAGMENT: [u8; 2] = [0x40, 0x00];
const TTL: u8 = 64;
const PROTO_ICMP: u8 = 1;

/// A probe's link, speaking on VLAN `vlan` as `source`.
pub struct Tagged {
    socket: Socket,
    mac: [u8; 6],
    vlan: u16,
    source: Ipv4Addr,
}

impl Tagged {
    /// On `link` of the calling thread's namespace.
    pub fn new(link: &str, vlan: u16, source: Ipv4Addr) -> io::Result<Tagged> {
        let socket = Socket::bind_all(link)?;
        let mac = socket.mac()?;
        Ok(Tagged {
            socket,
            mac,
            vlan,
            source,
        })
    }

    /// `to`'s MAC on the VLAN, asking every half second until `deadline`.
    pub fn resolve(&self, to: Ipv4Addr, deadline: Instant) -> io::Result<Option<[u8; 6]>> {
        let ask = tag(self.vlan, frame::request(self.mac, self.source, to));
        self.exchange(&ask, deadline, |f| {
            (frame::reply_sender(f) == Some(to)).then(|| mac_at(f, 6))
        })
    }

    /// An echo of `size` bytes of IPv4 with DF to `to` (at `mac`): the
    /// round trip, `None` without an answer by `deadline`.
    pub fn echo(
        &self,
        mac: [u8; 6],
        to: Ipv4Addr,
        size: usize,
        deadline: Instant,
    ) -> io::Result<Option<Duration>> {
        let (id, seq) = (icmp::id(), icmp::next_seq());
        let message = icmp::request(id, seq, size.saturating_sub(icmp::HEADERS));
        let mut f = Vec::with_capacity(size + 18);
        f.extend_from_slice(&mac);
        f.extend_from_slice(&self.mac);
        f.extend_from_slice(&IPV4);
        f.extend_from_slice(&ipv4_header(self.source, to, message.len()));
        f.extend_from_slice(&message);
        let sent = Instant::now();
        let answered = self.exchange(&tag(self.vlan, f), deadline, |f| {
            let ip = f.get(14..)?;
            let from = <[u8; 4]>::try_from(ip.get(12..16)?).ok()?;
            let ours = f.get(12..14) == Some(&IPV4[..]) && Ipv4Addr::from(from) == to;
            (ours && icmp::is_reply(ip, id, seq)).then_some(())
        })?;
        Ok(answered.map(|()| sent.elapsed()))
    }

    /// Sends `frame` every half second and reads frames (untagged as the
    /// kernel hands them over) until `matches` finds the answer or `deadline`.
    fn exchange<T>(
        &self,
        frame: &[u8],
        deadline: Instant,
        matches: impl Fn(&[u8]) -> Option<T>,
    ) -> io::Result<Option<T>> {
        while Instant::now() < deadline {
            self.socket.send(frame)?;
            let resend = (Instant::now() + Duration::from_millis(500)).min(deadline);
            while let Some(left) = resend.checked_duration_since(Instant::now()) {
                let Some(got) = self.socket.recv(left)? else {
                    break;
                };
                let got = untagged(got);
                if got.get(6..12) == Some(&self.mac[..]) {
                    continue; // our own, going out
                }
                if let Some(answer) = matches(&got) {
                    return Ok(Some(answer));
                }
            }
        }
        Ok(None)
    }
}

/// `frame` with an 802.1Q tag for `vlan` after its two MACs.
fn tag(vlan: u16, mut frame: Vec<u8>) -> Vec<u8> {
    let tci = (vlan & 0x0fff).to_be_bytes();
    frame.splice(12..12, [TPID[0], TPID[1], tci[0], tci[1]]);
    frame
}

/// A frame without its 802.1Q tag, if it still has one.
fn untagged(mut frame: Vec<u8>) -> Vec<u8> {
    if frame.get(12..14) == Some(&TPID[..]) {
        frame.drain(12..16);
    }
    frame
}

fn mac_at(f: &[u8], at: usize) -> [u8; 6] {
    let mut mac = [0; 6];
    mac.copy_from_slice(&f[at..at + 6]);
    mac
}

/// An IPv4 header without options for `payload` bytes of ICMP, DF set.
fn ipv4_header(source: Ipv4Addr, to: Ipv4Addr, payload: usize) -> [u8; 20] {
    let mut h = [0u8; 20];
    h[0] = 0x45;
    let total = u16::try_from(20 + payload).unwrap_or(u16::MAX);
    h[2..4].copy_from_slice(&total.to_be_bytes());
    h[6..8].copy_from_slice(&DONT_FRAGMENT);
    h[8] = TTL;
    h[9] = PROTO_ICMP;
    h[12..16].copy_from_slice(&source.octets());
    h[16..20].copy_from_slice(&to.octets());
    let sum = icmp::checksum(&h);
    h[10..12].copy_from_slice(&sum.to_be_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_goes_after_the_macs_and_comes_off_again() {
        let (mac, source) = ([2, 0, 0, 0, 0, 1], Ipv4Addr::new(172, 18, 255, 253));
        let plain = frame::request(mac, source, Ipv4Addr::new(172, 18, 255, 254));
        let tagged = tag(1718, plain.clone());
        assert_eq!(&tagged[12..16], &[0x81, 0x00, 0x06, 0xb6]);
        assert_eq!(untagged(tagged), plain);
    }

    #[test]
    fn the_ipv4_header_sums_to_zero_and_sets_df() {
        let h = ipv4_header(
            Ipv4Addr::new(10, 0, 2, 127),
            Ipv4Addr::new(10, 0, 2, 2),
            8972 + 8,
        );
        assert_eq!(icmp::checksum(&h), 0);
        assert_eq!(u16::from_be_bytes([h[2], h[3]]), 9000);
        assert_eq!(h[6] & 0x40, 0x40);
    }
}
