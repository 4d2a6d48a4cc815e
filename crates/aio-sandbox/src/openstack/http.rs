//! The one HTTP request the harness makes itself: whether an API answers,
//! asked from inside the namespace it listens in.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// The status code of `GET PATH` on 127.0.0.1:`port` inside network
/// namespace `ns`; `None` if nothing answers (within 5 s).
pub(crate) fn status(ns: &str, port: u16, path: &str) -> Option<u16> {
    let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    aio_netns::run_in(Some(ns), move || {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let limit = Duration::from_secs(5);
        let mut stream = TcpStream::connect_timeout(&address, limit).ok()?;
        stream.set_read_timeout(Some(limit)).ok()?;
        stream.write_all(request.as_bytes()).ok()?;
        let mut head = [0u8; 64];
        let mut got = 0;
        while got < head.len() {
            match stream.read(&mut head[got..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => got += n,
            }
        }
        // "HTTP/1.x CODE ..."
        let line = String::from_utf8_lossy(&head[..got]).into_owned();
        line.split_whitespace().nth(1)?.parse().ok()
    })
    .ok()
    .flatten()
}
