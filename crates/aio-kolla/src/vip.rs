//! `vip = "auto"`: the VIP this deployment already uses, or else a free one.
//!
//! In order: `kolla_internal_vip_address` as Kolla reads it now from the
//! config dir (`globals.yml`, then `globals.d/*.yml`, later files winning);
//! else an IPv4 /32 that keepalived holds on the uplink besides its primary
//! address; else the one aio chose before, remembered in the state dir;
//! else the first address of the uplink's subnet that nobody answers ARP
//! for (never the host's own or the gateway). A VIP in use is never traded
//! for another. After a deploy, keepalived on this host answers for it:
//! that is why a known VIP is not probed again.

use ipnet::Ipv4Net;
use std::fmt;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aio_topology::{Facts, Kolla, Vip};

use crate::{KollaError, globals};

/// How long to wait for ARP replies to one batch of candidates.
const WAIT: Duration = Duration::from_millis(300);
/// Candidates tried at most, from the start of the subnet.
const MOST: usize = 1024;

/// Where the VIP came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `vip = "ADDRESS"` in the topology.
    Topology,
    /// `kolla_internal_vip_address` in this file of the config dir.
    Deployed(PathBuf),
    /// A /32 on this interface (the uplink) besides its primary address.
    Keepalived(String),
    /// Chosen by an earlier run, kept in this file.
    Remembered(PathBuf),
    /// Found free by ARP in this run.
    Probed,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Topology => f.write_str("topology"),
            Source::Deployed(file) => write!(f, "deployed: {}", file.display()),
            Source::Keepalived(uplink) => write!(f, "held by keepalived on {uplink}"),
            Source::Remembered(file) => write!(f, "remembered: {}", file.display()),
            Source::Probed => f.write_str("free by ARP; remembered when applied"),
        }
    }
}

/// The VIP and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub address: Ipv4Addr,
    pub source: Source,
}

impl Chosen {
    /// Whether an apply keeps it in the state dir, for later runs.
    pub fn to_remember(&self) -> bool {
        matches!(
            self.source,
            Source::Probed | Source::Deployed(_) | Source::Keepalived(_)
        )
    }
}

/// The VIP of `kolla` on the system `facts` describe (see the module).
pub fn choose(
    kolla: &Kolla,
    netns: Option<&str>,
    state_dir: &Path,
    facts: &Facts,
) -> Result<Chosen, KollaError> {
    let chosen = |address, source| Chosen { address, source };
    if let Vip::Address(a) = kolla.vip.value {
        return Ok(chosen(a, Source::Topology));
    }
    if let Some((address, file)) = deployed(Path::new(&kolla.config_dir), facts)? {
        return Ok(chosen(address, Source::Deployed(file)));
    }
    if let Some(address) = keepalived(facts) {
        let uplink = facts.uplink.clone().unwrap_or_default();
        return Ok(chosen(address, Source::Keepalived(uplink)));
    }
    if let Some(address) = remembered(state_dir, facts) {
        return Ok(chosen(address, Source::Remembered(file(state_dir))));
    }
    Ok(chosen(probe(netns, facts)?, Source::Probed))
}

/// `kolla_internal_vip_address` as Kolla reads it from `config_dir` now,
/// and the file that sets it, if it is an IPv4 address that is not the
/// uplink's own or the gateway.
pub fn deployed(
    config_dir: &Path,
    facts: &Facts,
) -> Result<Option<(Ipv4Addr, PathBuf)>, KollaError> {
    let Some(setting) = globals::merged(config_dir)?.shift_remove("kolla_internal_vip_address")
    else {
        return Ok(None);
    };
    let address = setting.value.as_str().and_then(|s| s.trim().parse().ok());
    Ok(address
        .filter(|a| usable(*a, facts))
        .map(|a| (a, setting.from)))
}

/// An IPv4 /32 on the uplink besides its primary address: what keepalived
/// adds for `kolla_internal_vip_address`.
pub fn keepalived(facts: &Facts) -> Option<Ipv4Addr> {
    facts
        .uplink_addresses
        .iter()
        .filter(|n| n.prefix_len() == 32)
        .map(Ipv4Net::addr)
        .find(|a| usable(*a, facts))
}

/// Never the uplink's own address (keepalived removes a VIP when it stops)
/// nor the gateway.
fn usable(address: Ipv4Addr, facts: &Facts) -> bool {
    Some(address) != facts.uplink_address && Some(address) != facts.gateway
}

fn file(state_dir: &Path) -> PathBuf {
    crate::record::dir(state_dir).join("vip")
}

/// The remembered VIP, if it is still on the uplink's subnet.
pub fn remembered(state_dir: &Path, facts: &Facts) -> Option<Ipv4Addr> {
    let text = aio_fs::read_text_bounded(&file(state_dir), aio_fs::Bound::RECORD).ok()?;
    let vip: Ipv4Addr = text.trim().parse().ok()?;
    subnet(facts).filter(|net| net.contains(&vip)).map(|_| vip)
}

pub fn remember(state_dir: &Path, vip: Ipv4Addr) -> Result<(), KollaError> {
    let path = file(state_dir);
    let now = aio_fs::read_text_bounded(&path, aio_fs::Bound::RECORD);
    if now.is_ok_and(|t| t.trim() == vip.to_string()) {
        return Ok(());
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            uplink: Some("eth0".into()),
            uplink_address: Some(Ipv4Addr::new(192, 0, 2, 10)),
            uplink_prefix: Some(24),
            gateway: Some(Ipv4Addr::new(192, 0, 2, 1)),
            uplink_addresses: vec![
                "192.0.2.10/24".parse().unwrap(),
                "192.0.2.77/32".parse().unwrap(),
            ],
            ..Facts::default()
        }
    }

    #[test]
    fn the_deployed_vip_is_what_kolla_reads_last() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path();
        assert_eq!(deployed(c, &facts()).unwrap(), None);
        std::fs::write(
            c.join("globals.yml"),
            "kolla_internal_vip_address: 192.0.2.50\n",
        )
        .unwrap();
        assert_eq!(
            deployed(c, &facts()).unwrap(),
            Some((Ipv4Addr::new(192, 0, 2, 50), c.join("globals.yml")))
        );
        std::fs::create_dir(c.join("globals.d")).unwrap();
        std::fs::write(
            c.join("globals.d/aio.yml"),
            "kolla_internal_vip_address: \"192.0.2.51\"\n",
        )
        .unwrap();
        assert_eq!(
            deployed(c, &facts()).unwrap(),
            Some((Ipv4Addr::new(192, 0, 2, 51), c.join("globals.d/aio.yml")))
        );
        // Never the uplink's own address, nor Jinja.
        std::fs::write(
            c.join("globals.d/aio.yml"),
            "kolla_internal_vip_address: 192.0.2.10\n",
        )
        .unwrap();
        assert_eq!(deployed(c, &facts()).unwrap(), None);
        std::fs::write(
            c.join("globals.d/aio.yml"),
            "kolla_internal_vip_address: \"{{ x }}\"\n",
        )
        .unwrap();
        assert_eq!(deployed(c, &facts()).unwrap(), None);
    }

    #[test]
    fn keepalived_holds_a_slash_32_besides_the_primary() {
        assert_eq!(keepalived(&facts()), Some(Ipv4Addr::new(192, 0, 2, 77)));
        let mut f = facts();
        f.uplink_addresses.truncate(1);
        assert_eq!(keepalived(&f), None);
    }
}
