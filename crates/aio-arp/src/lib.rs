//! Which IPv4 addresses answer ARP on a link: how aio picks a free VIP.
//!
//! [`answering`] sends one ARP request per candidate from a raw `AF_PACKET`
//! socket bound to the link (made inside the target network namespace) and
//! collects the replies until a deadline. ARP, not ping: a host that drops
//! ICMP still answers ARP for its address, and a free address is exactly one
//! that nobody claims on the wire.

pub mod frame;

use std::collections::BTreeSet;
use std::io;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum ArpError {
    #[error(transparent)]
    Netns(#[from] aio_netns::NetnsError),
    #[error("ARP on {link}: {source}")]
    Io { link: String, source: io::Error },
}

/// The candidates that answered an ARP request sent on `link` (from `source`)
/// within `wait`.
pub fn answering(
    netns: Option<&str>,
    link: &str,
    source: Ipv4Addr,
    candidates: &[Ipv4Addr],
    wait: Duration,
) -> Result<BTreeSet<Ipv4Addr>, ArpError> {
    let (owned_link, owned) = (link.to_string(), candidates.to_vec());
    let result = aio_netns::run_in(netns, move || probe(&owned_link, source, &owned, wait))?;
    result.map_err(|source| ArpError::Io {
        link: link.to_string(),
        source,
    })
}

/// The first of `candidates`, in order, that nobody answers for; probed in batches.
pub fn first_free(
    netns: Option<&str>,
    link: &str,
    source: Ipv4Addr,
    candidates: &[Ipv4Addr],
    wait: Duration,
) -> Result<Option<Ipv4Addr>, ArpError> {
    for batch in candidates.chunks(32) {
        let taken = answering(netns, link, source, batch, wait)?;
        if let Some(free) = batch.iter().find(|c| !taken.contains(c)) {
            return Ok(Some(*free));
        }
    }
    Ok(None)
}

fn probe(
    link: &str,
    source: Ipv4Addr,
    candidates: &[Ipv4Addr],
    wait: Duration,
) -> io::Result<BTreeSet<Ipv4Addr>> {
    let socket = frame::Socket::bind(link)?;
    let mac = socket.mac()?;
    for target in candidates {
        socket.send(&frame::request(mac, source, *target))?;
    }
    let wanted: BTreeSet<Ipv4Addr> = candidates.iter().copied().collect();
    let mut answered = BTreeSet::new();
    let deadline = Instant::now() + wait;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Some(packet) = socket.recv(left)? else {
            break;
        };
        if let Some(sender) = frame::reply_sender(&packet).filter(|s| wanted.contains(s)) {
            answered.insert(sender);
            if answered.len() == wanted.len() {
                break;
            }
        }
    }
    Ok(answered)
}
