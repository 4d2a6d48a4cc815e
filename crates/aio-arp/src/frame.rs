//! ARP over Ethernet (RFC 826) on a raw packet socket; the socket also
//! serves whole frames of any protocol ([`Socket::bind_all`]).

use std::io;
use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

const ETH_P_ARP: u16 = 0x0806;
/// Every protocol: what a frame-level probe needs.
const ETH_P_ALL: u16 = 0x0003;
/// The largest frame read: a 9000-byte MTU with a VLAN tag, and room.
const LARGEST: usize = 9216 + 18;
const BROADCAST: [u8; 6] = [0xff; 6];

pub struct Socket {
    fd: OwnedFd,
    index: i32,
    protocol: u16,
}

fn check(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

fn link_addr(index: i32, protocol: u16) -> libc::sockaddr_ll {
    // SAFETY: sockaddr_ll is plain old data; all-zero is a valid value.
    let mut addr: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    addr.sll_family = libc::AF_PACKET as u16;
    addr.sll_protocol = protocol.to_be();
    addr.sll_ifindex = index;
    addr
}

impl Socket {
    /// A socket seeing only ARP frames of `link`, in the caller's network namespace.
    pub fn bind(link: &str) -> io::Result<Socket> {
        Socket::bind_protocol(link, ETH_P_ARP)
    }

    /// A socket seeing every frame of `link`, its own outgoing ones
    /// included; the kernel hands VLAN-tagged frames over with the tag
    /// taken out.
    pub fn bind_all(link: &str) -> io::Result<Socket> {
        Socket::bind_protocol(link, ETH_P_ALL)
    }

    fn bind_protocol(link: &str, protocol: u16) -> io::Result<Socket> {
        let name = std::ffi::CString::new(link)
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        // SAFETY: plain libc calls; the fd is owned right away.
        unsafe {
            let index = libc::if_nametoindex(name.as_ptr());
            if index == 0 {
                return Err(io::Error::last_os_error());
            }
            let raw = check(libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                i32::from(protocol.to_be()),
            ))?;
            let socket = Socket {
                fd: OwnedFd::from_raw_fd(raw),
                index: index as i32,
                protocol,
            };
            let addr = link_addr(socket.index, protocol);
            let len = std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
            check(libc::bind(
                raw,
                (&addr as *const libc::sockaddr_ll).cast(),
                len,
            ))?;
            Ok(socket)
        }
    }

    /// The link's hardware address: a bound packet socket's own name carries it.
    pub fn mac(&self) -> io::Result<[u8; 6]> {
        let mut addr = link_addr(0, self.protocol);
        let mut len = std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
        // SAFETY: addr and len are valid for writes of their sizes.
        check(unsafe {
            libc::getsockname(
                self.fd.as_raw_fd(),
                (&mut addr as *mut libc::sockaddr_ll).cast(),
                &mut len,
            )
        })?;
        let mut mac = [0; 6];
        mac.copy_from_slice(&addr.sll_addr[..6]);
        Ok(mac)
    }

    pub fn send(&self, frame: &[u8]) -> io::Result<()> {
        let mut to = link_addr(self.index, self.protocol);
        to.sll_halen = 6;
        to.sll_addr[..6].copy_from_slice(&BROADCAST);
        let len = std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
        // SAFETY: frame and to are valid for reads of their sizes.
        check(unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                frame.as_ptr().cast(),
                frame.len(),
                0,
                (&to as *const libc::sockaddr_ll).cast(),
                len,
            )
        } as libc::c_int)?;
        Ok(())
    }

    /// The next frame, or `None` when `wait` passes first.
    pub fn recv(&self, wait: Duration) -> io::Result<Option<Vec<u8>>> {
        let mut poll = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = wait.as_millis().clamp(1, i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd.
        if check(unsafe { libc::poll(&mut poll, 1, ms) })? == 0 {
            return Ok(None);
        }
        let mut buf = vec![0u8; LARGEST];
        // SAFETY: buf is valid for writes of its length.
        let n =
            check(
                unsafe { libc::recv(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) }
                    as libc::c_int,
            )?;
        buf.truncate(n as usize);
        Ok(Some(buf))
    }
}

/// An Ethernet frame asking who has `target`, from `mac`/`source`.
pub fn request(mac: [u8; 6], source: Ipv4Addr, target: Ipv4Addr) -> Vec<u8> {
    let mut f = Vec::with_capacity(42);
    f.extend_from_slice(&BROADCAST);
    f.extend_from_slice(&mac);
    f.extend_from_slice(&ETH_P_ARP.to_be_bytes());
    f.extend_from_slice(&[0, 1, 0x08, 0x00, 6, 4, 0, 1]); // Ethernet, IPv4, sizes, request
    f.extend_from_slice(&mac);
    f.extend_from_slice(&source.octets());
    f.extend_from_slice(&[0; 6]);
    f.extend_from_slice(&target.octets());
    f
}

/// The sender's address of an ARP reply frame.
pub fn reply_sender(frame: &[u8]) -> Option<Ipv4Addr> {
    let arp = frame.get(14..42)?;
    let is_reply = frame[12..14] == ETH_P_ARP.to_be_bytes() && arp[6..8] == [0, 2];
    is_reply.then(|| Ipv4Addr::new(arp[14], arp[15], arp[16], arp[17]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_reads_back_as_what_it_asks() {
        let f = request(
            [2, 0, 0, 0, 0, 1],
            Ipv4Addr::new(192, 0, 2, 10),
            Ipv4Addr::new(192, 0, 2, 7),
        );
        assert_eq!(f.len(), 42);
        assert_eq!(&f[38..42], &[192, 0, 2, 7]);
        assert_eq!(reply_sender(&f), None, "a request is not a reply");
        let mut reply = f.clone();
        reply[21] = 2;
        assert_eq!(reply_sender(&reply), Some(Ipv4Addr::new(192, 0, 2, 10)));
    }
}
