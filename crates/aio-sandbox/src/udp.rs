//! One UDP datagram between two namespaces, as an amphora's heartbeat goes
//! to the health manager: the receiving socket is made inside one
//! namespace, the sending one inside the other (`aio_netns`).

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(3);

/// Sends a datagram holding `client`'s name from namespace `client` to
/// `to:port`, where a socket made in namespace `server` listens. Ok with
/// the address it came from when it arrived with that name.
pub fn datagram(server: &str, client: &str, to: Ipv4Addr, port: u16) -> Result<SocketAddr, String> {
    let socket = aio_netns::run_in(Some(server), move || {
        UdpSocket::bind((Ipv4Addr::UNSPECIFIED, port))
    })
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
