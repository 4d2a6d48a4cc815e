//! A TCP exchange between two namespaces, without any program installed:
//! the listening socket is made inside one namespace, the connecting one
//! inside the other (`aio_netns`: a socket keeps the namespace it was made
//! in), and each side says who it is.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(3);

/// Connects from namespace `client` to `to:port`, where a listener made in
/// namespace `server` waits; each side sends its namespace's name. Ok when
/// the client heard `server`'s name and the server heard `client`'s; the
/// address the server saw the connection come from is returned.
pub fn exchange(server: &str, client: &str, to: Ipv4Addr, port: u16) -> Result<SocketAddr, String> {
    let listener = aio_netns::run_in(Some(server), move || {
        TcpListener::bind((Ipv4Addr::UNSPECIFIED, port))
    })
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("listen in {server}: {e}"))?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let name = server.to_string();
    let accepting = std::thread::spawn(move || accept(&listener, &name));
    let me = client.to_string();
    let heard = aio_netns::run_in(Some(client), move || -> Result<String, String> {
        let mut stream = TcpStream::connect_timeout(&SocketAddr::from((to, port)), LIMIT)
            .map_err(|e| format!("connect to {to}:{port}: {e}"))?;
        talk(&mut stream, &me)
    })
    .map_err(|e| e.to_string())?;
    let served = accepting
        .join()
        .map_err(|_| "the listener panicked".to_string())?;
    let heard = heard?;
    let (peer, said) = served?;
    if heard != server {
        return Err(format!("the client heard {heard:?}, not {server:?}"));
    }
    if said != client {
        return Err(format!("the server heard {said:?}, not {client:?}"));
    }
    Ok(peer)
}

fn accept(listener: &TcpListener, name: &str) -> Result<(SocketAddr, String), String> {
    let deadline = Instant::now() + LIMIT;
    loop {
        match listener.accept() {
            Ok((mut stream, peer)) => {
                stream.set_nonblocking(false).map_err(|e| e.to_string())?;
                return Ok((peer, talk(&mut stream, name)?));
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() > deadline {
                    return Err("no connection arrived".into());
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Writes `name` and a newline, reads the other side's line.
fn talk(stream: &mut TcpStream, name: &str) -> Result<String, String> {
    stream
        .set_read_timeout(Some(LIMIT))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(format!("{name}\n").as_bytes())
        .map_err(|e| format!("send: {e}"))?;
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    while !got.ends_with(b"\n") {
        match stream.read(&mut byte) {
            Ok(0) => break,
            Ok(_) => got.push(byte[0]),
            Err(e) => return Err(format!("receive: {e}")),
        }
    }
    Ok(String::from_utf8_lossy(&got).trim().to_string())
}
