//! Traffic that proves the hops: a probe plugged into the outside
//! network's bridge (an address from the subnet's unused end, below
//! Neutron's pool, that no one answers ARP for) pings the uplink's
//! gateway through aio's NAT, the bridge at the physnet MTU with DF, and,
//! on Octavia's VLAN, the health manager's interface through the physnet
//! bridge, as an amphora's packets arrive there. The probe is removed
//! afterwards, and a killed doctor leaves nothing (see [`ns`]).

mod icmp;
mod ns;
mod tagged;
mod wire;

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use ipnet::Ipv4Net;

pub use ns::Netns;
use wire::Attachment;

use crate::design::{Design, External, Octavia};
use crate::report::Hop;

/// How long a probe waits for an answer (the machine may be busy).
const ANSWER: Duration = Duration::from_secs(3);
/// How long an ARP request for a candidate address is given.
const ARP: Duration = Duration::from_millis(400);
/// A packet that fits every link: 64 bytes of IPv4.
const SMALL: usize = 64;

/// The probes' hops, for the paths to place.
#[derive(Debug, Default)]
pub struct Probed {
    /// Through NAT to the uplink's gateway.
    pub nat: Option<Hop>,
    /// The physnet MTU to the outside bridge.
    pub mtu: Option<Hop>,
    /// Octavia's VLAN through the physnet bridge to the health manager.
    pub vlan: Option<Hop>,
}

/// Runs every probe the design allows, in namespace `netns` (the host's when `None`).
pub async fn run(design: &Design, netns: Option<&str>, taken: &[Ipv4Addr]) -> Probed {
    let mtu = design.physnet.as_ref().and_then(|p| p.mtu).unwrap_or(1500);
    let Some(ext) = &design.external else {
        // Octavia's probe enters through the outside bridge: without one,
        // its path cannot be proven by traffic, and says so.
        let vlan = design.octavia.as_ref().map(|o| {
            let (name, expected) = Names::vlan(o, "the outside bridge", "the physnet bridge", mtu);
            let why = "the topology gives no outside bridge for the probe to enter through (neutron_external_interface)";
            Hop::unchecked(name, expected, why)
        });
        return Probed {
            vlan,
            ..Probed::default()
        };
    };
    let names = Names::of(ext, design.octavia.as_ref(), design.gateway, mtu);
    let plugged = plug(ext, netns, mtu).await;
    let mut attachment = match plugged {
        Ok(a) => a,
        Err(why) => {
            return names.unchecked(&format!(
                "the probe could not be plugged into {}: {why}",
                ext.bridge
            ));
        }
    };
    let probed = probe_all(&mut attachment, design, ext, netns, taken, mtu, &names).await;
    if let Err(e) = attachment.remove().await {
        tracing::warn!("removing doctor's probe: {e}");
    }
    probed
}

async fn plug(ext: &External, netns: Option<&str>, mtu: u32) -> Result<Attachment, String> {
    let host_ns = Netns::open(netns).map_err(|e| e.to_string())?;
    let host = host_ns.netlink().map_err(|e| e.to_string())?;
    Attachment::plug(&host_ns, &host, &ext.bridge, mtu).await
}

async fn probe_all(
    a: &mut Attachment,
    design: &Design,
    ext: &External,
    netns: Option<&str>,
    taken: &[Ipv4Addr],
    mtu: u32,
    names: &Names,
) -> Probed {
    let mut out = Probed::default();
    let bridge_addr = ext.address.addr();
    let below_pool = ext.pool.map(|(start, _)| start);
    let address = match free(netns, &ext.bridge, ext.address, below_pool, taken).await {
        Ok(addr) => addr,
        Err(why) => return names.unchecked(&why),
    };
    let placed = async {
        a.address(address, &ext.bridge).await?;
        a.route_via(bridge_addr).await
    };
    if let Err(why) = placed.await {
        return names.unchecked(&why);
    }
    out.nat = Some(match design.gateway {
        None => Hop::unchecked(
            &names.nat,
            &names.nat_expected,
            "the host has no IPv4 default route: no gateway to reach",
        ),
        Some(gw) => {
            echo_hop(&[SMALL], &names.nat, &names.nat_expected, gw, |size| {
                a.ping(gw, size, ANSWER)
            })
            .await
        }
    });
    let sizes = [SMALL, mtu as usize];
    let probe = address.addr();
    let full = |size| a.ping_from_host(probe, size, ANSWER);
    out.mtu = Some(echo_hop(&sizes, &names.mtu, &names.mtu_expected, probe, full).await);
    if let Some(o) = &design.octavia {
        out.vlan = Some(vlan(a, o, netns, taken, mtu, names).await);
    }
    out
}

async fn vlan(
    a: &mut Attachment,
    o: &Octavia,
    netns: Option<&str>,
    taken: &[Ipv4Addr],
    mtu: u32,
    names: &Names,
) -> Hop {
    let (name, expected) = (&names.vlan, &names.vlan_expected);
    let address = match free(netns, &o.interface, o.address, None, taken).await {
        Ok(addr) => addr.addr(),
        Err(why) => return Hop::unchecked(name, expected, why),
    };
    if let Err(why) = a.learnt_by(&o.interface, address).await {
        return Hop::unchecked(name, expected, why);
    }
    let to = o.address.addr();
    let sizes = [SMALL, mtu as usize];
    echo_hop(&sizes, name, expected, to, |size| {
        a.ping_tagged(o.tag, address, to, size, ANSWER)
    })
    .await
}

/// Echoes of each size in turn to `to` through `ping`: holds when each
/// is answered; the first unanswered one says what is broken.
async fn echo_hop<F, P>(sizes: &[usize], name: &str, expected: &str, to: Ipv4Addr, ping: P) -> Hop
where
    P: Fn(usize) -> F,
    F: std::future::Future<Output = Result<Option<Duration>, String>>,
{
    let start = Instant::now();
    let mut answered = Vec::new();
    for &size in sizes {
        match ping(size).await {
            Err(why) => return Hop::unchecked(name, expected, why).took(start.elapsed()),
            Ok(Some(rtt)) => answered.push(format!(
                "{size} bytes answered in {:.1} ms",
                rtt.as_secs_f64() * 1000.0
            )),
            Ok(None) if answered.is_empty() => {
                let found = format!("no answer from {to} within {} s", ANSWER.as_secs());
                let fix = "the hops before this one say where it stops; if they all hold, something the topology does not describe drops it (another firewall: `nft list ruleset`)";
                return Hop::broken(name, expected, found, fix).took(start.elapsed());
            }
            Ok(None) => {
                let found = format!(
                    "{}, but {size} bytes with DF got no answer: a link on the way carries less than {size}",
                    answered.join(", ")
                );
                let fix = "give every link on the path the physnet MTU (`ip -d link` shows each one's mtu); `aio apply` sets the declared ones";
                return Hop::broken(name, expected, found, fix).took(start.elapsed());
            }
        }
    }
    let mut hop = Hop::holds(name, expected).took(start.elapsed());
    hop.found = answered.join(", ");
    hop
}

/// An address of `net` that nobody answers ARP for on `link`: from the
/// top of the subnet (or just below `below`, Neutron's pool) downwards,
/// never one of `taken` or the link's own.
async fn free(
    netns: Option<&str>,
    link: &str,
    net: Ipv4Net,
    below: Option<Ipv4Addr>,
    taken: &[Ipv4Addr],
) -> Result<Ipv4Net, String> {
    let subnet = net.trunc();
    let top = below.map_or(u32::from(subnet.broadcast()), u32::from);
    let candidates: Vec<Ipv4Addr> = (u32::from(subnet.network()) + 1..top)
        .rev()
        .map(Ipv4Addr::from)
        .filter(|a| *a != net.addr() && !taken.contains(a))
        .take(64)
        .collect();
    let first = candidates.first().copied();
    let (ns, link_owned, source) = (netns.map(str::to_string), link.to_string(), net.addr());
    let asked = tokio::task::spawn_blocking(move || {
        aio_arp::first_free(ns.as_deref(), &link_owned, source, &candidates, ARP)
    })
    .await
    .map_err(|e| e.to_string())?;
    let found = match asked {
        Ok(found) => found,
        // A link that is down cannot ask, and no one answers through it:
        // its own hop is broken, and the probe still shows what that does.
        Err(aio_arp::ArpError::Io { source, .. })
            if source.raw_os_error() == Some(libc::ENETDOWN) =>
        {
            first
        }
        Err(e) => return Err(format!("looking for a free address on {link}: {e}")),
    };
    let addr = found.ok_or_else(|| {
        format!(
            "no address of {link}'s subnet is free: the host's, Neutron's pool's, or answering ARP"
        )
    })?;
    Ipv4Net::new(addr, net.prefix_len()).map_err(|e| e.to_string())
}

/// The probes' hop names and expectations.
struct Names {
    nat: String,
    nat_expected: String,
    mtu: String,
    mtu_expected: String,
    vlan: String,
    vlan_expected: String,
    octavia: bool,
}

impl Names {
    fn of(ext: &External, o: Option<&Octavia>, gateway: Option<Ipv4Addr>, mtu: u32) -> Names {
        let gw = gateway.map_or("the uplink's gateway".to_string(), |g| {
            format!("the uplink's gateway {g}")
        });
        let (vlan, vlan_expected) = match o {
            Some(o) => Names::vlan(
                o,
                &ext.bridge,
                &format!("{}'s bridge through {}", ext.interface, ext.peer),
                mtu,
            ),
            None => (String::new(), String::new()),
        };
        Names {
            nat: format!("traffic from {} out through NAT", ext.bridge),
            nat_expected: format!(
                "an echo from a probe on {}'s subnet reaches {gw}, masqueraded out the uplink",
                ext.bridge
            ),
            mtu: format!("full-size packets on {}", ext.bridge),
            mtu_expected: format!(
                "echoes from {} ({}) to the probe at 64 and {mtu} bytes with DF are answered",
                ext.bridge,
                ext.address.addr()
            ),
            vlan,
            vlan_expected,
            octavia: o.is_some(),
        }
    }

    /// The VLAN probe's name and expectation: a probe on `bridge`, its
    /// frames entering `entry`.
    fn vlan(o: &Octavia, bridge: &str, entry: &str, mtu: u32) -> (String, String) {
        (
            format!("traffic on VLAN {} to {}", o.tag, o.interface),
            format!(
                "echoes from a probe on {bridge} tagged {}, entering {entry} as an amphora's do, answered by {} ({}), at 64 and {mtu} bytes with DF",
                o.tag,
                o.interface,
                o.address.addr()
            ),
        )
    }

    /// Every probe not checked, for `why`.
    fn unchecked(&self, why: &str) -> Probed {
        Probed {
            nat: Some(Hop::unchecked(&self.nat, &self.nat_expected, why)),
            mtu: Some(Hop::unchecked(&self.mtu, &self.mtu_expected, why)),
            vlan: self
                .octavia
                .then(|| Hop::unchecked(&self.vlan, &self.vlan_expected, why)),
        }
    }
}
