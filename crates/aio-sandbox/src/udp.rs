//! One UDP datagram between two namespaces, as an amphora's heartbeat goes
//! to the health manager: the receiving socket is made inside one
//! namespace, the sending one inside the other (`aio_netns`). The
//! receiver may be bound to one link (`SO_BINDTODEVICE`), so that a
//! datagram arriving anywhere else is not heard.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::os::fd::FromRawFd;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(3);

/// Sends a datagram holding `client`'s name from namespace `client` to
/// `to:port`, where a socket made in namespace `server` listens (on link
/// `device` only, when given). Ok with the address it came from when it
/// arrived with that name.
pub fn datagram(
    server: &str,
    device: Option<&str>,
    client: &str,
    to: Ipv4Addr,
    port: u16,
) -> Result<SocketAddr, String> {
    let device = device.map(str::to_string);
    let socket = aio_netns::run_in(Some(server), move || receiver(port, device.as_deref()))
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("bind in {server}: {e}"))?;
    socket
        .set_read_timeout(Some(LIMIT))
        .map_err(|e| e.to_string())?;
    let me = client.to_string();
    aio_netns::run_in(Some(client), move || -> Result<(), String> {
        let sender = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).map_err(|e| e.to_string())?;
        sender
            .send_to(me.as_bytes(), (to, port))
            .map(drop)
            .map_err(|e| format!("send to {to}:{port}: {e}"))
    })
    .map_err(|e| e.to_string())??;
    let mut buf = [0u8; 256];
    let (n, from) = socket
        .recv_from(&mut buf)
        .map_err(|e| format!("nothing arrived at {to}:{port} within {LIMIT:?}: {e}"))?;
    let said = String::from_utf8_lossy(&buf[..n]);
    if said != client {
        return Err(format!("{to}:{port} heard {said:?}, not {client:?}"));
    }
    Ok(from)
}

/// A UDP socket on `port`, bound to `device` when given.
fn receiver(port: u16, device: Option<&str>) -> std::io::Result<UdpSocket> {
    let Some(device) = device else {
        return UdpSocket::bind((Ipv4Addr::UNSPECIFIED, port));
    };
    // SAFETY: a new socket, owned by the UdpSocket made from it at once.
    let socket = unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        UdpSocket::from_raw_fd(fd)
    };
    let name = device.as_bytes();
    // SAFETY: the option's value is the name's bytes, with their length.
    let set = unsafe {
        libc::setsockopt(
            std::os::fd::AsRawFd::as_raw_fd(&socket),
            libc::SOL_SOCKET,
            libc::SO_BINDTODEVICE,
            name.as_ptr().cast(),
            libc::socklen_t::try_from(name.len()).unwrap_or(0),
        )
    };
    if set != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let address = libc::sockaddr_in {
        sin_family: libc::sa_family_t::try_from(libc::AF_INET).unwrap_or(2),
        sin_port: port.to_be(),
        sin_addr: libc::in_addr { s_addr: 0 },
        sin_zero: [0; 8],
    };
    // SAFETY: a sockaddr_in of its own size.
    let bound = unsafe {
        libc::bind(
            std::os::fd::AsRawFd::as_raw_fd(&socket),
            std::ptr::from_ref(&address).cast(),
            libc::socklen_t::try_from(std::mem::size_of::<libc::sockaddr_in>()).unwrap_or(0),
        )
    };
    if bound != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(socket)
}
