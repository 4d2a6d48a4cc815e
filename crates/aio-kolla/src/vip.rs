//! `vip = "auto"`: the first address of the uplink's subnet that nobody
//! answers ARP for (never the host's own or the gateway), chosen once and
//! remembered in the state dir. After a deploy, keepalived on this host
//! answers for it: that is why a remembered VIP is not probed again.

use ipnet::Ipv4Net;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aio_topology::Facts;

use crate::KollaError;

/// How long to wait for ARP replies to one batch of candidates.
const WAIT: Duration = Duration::from_millis(300);
/// Candidates tried at most, from the start of the subnet.
const MOST: usize = 1024;

fn file(state_dir: &Path) -> PathBuf {
    crate::record::dir(state_dir).join("vip")
}

/// The remembered VIP, if it is still on the uplink's subnet.
pub fn remembered(state_dir: &Path, facts: &Facts) -> Option<Ipv4Addr> {
    let vip: Ipv4Addr = std::fs::read_to_string(file(state_dir))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    subnet(facts).filter(|net| net.contains(&vip)).map(|_| vip)
}

pub fn remember(state_dir: &Path, vip: Ipv4Addr) -> Result<(), KollaError> {
    let path = file(state_dir);
    crate::files::write_atomic(&path, format!("{vip}\n").as_bytes())
        .map_err(|e| KollaError::io(&path, e))
}

fn subnet(facts: &Facts) -> Option<Ipv4Net> {
    Ipv4Net::new(facts.uplink_address?, facts.uplink_prefix?)
        .ok()
        .map(|n| n.trunc())
}

/// Probes the uplink's subnet for the first free address.
pub fn probe(netns: Option<&str>, facts: &Facts) -> Result<Ipv4Addr, KollaError> {
    let (Some(uplink), Some(own), Some(net)) = (&facts.uplink, facts.uplink_address, subnet(facts))
    else {
        return Err(KollaError::Vip(
            "the uplink has no IPv4 address to probe its subnet from; set kolla.vip".into(),
        ));
    };
    let candidates: Vec<Ipv4Addr> = net
        .hosts()
        .filter(|a| *a != own && Some(*a) != facts.gateway)
        .take(MOST)
        .collect();
    aio_arp::first_free(netns, uplink, own, &candidates, WAIT)
        .map_err(|e| KollaError::Vip(e.to_string()))?
        .ok_or_else(|| {
            KollaError::Vip(format!(
                "every address probed on {net} answered ARP; set kolla.vip"
            ))
        })
}
