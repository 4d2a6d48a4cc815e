//! `[neutron.external_network]` against the plumbing. The outside network
//! is the bridge behind `neutron_external_interface`
//! ([`Topology::external_bridge`]): its subnet holds the external `cidr`,
//! its address is the gateway (the one thing out there that answers and
//! NATs), the allocation pool stays clear of every address the host uses,
//! and a `[[nat]]` takes the network's traffic out, or floating IPs reach
//! nothing. What cannot be derived must be declared.

use ipnet::{IpNet, Ipv4Net};
use std::net::{IpAddr, Ipv4Addr};

use super::nat;
use crate::diag::Diagnostic;
use crate::external::{ExternalBridge, NoExternalBridge, derived_pool};
use crate::model::{ExternalNetworkDecl, Topology, Vip};

pub(crate) fn check(t: &Topology) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(decl) = t.neutron.as_ref().and_then(|n| n.external_network.as_ref()) else {
        return out;
    };
    let bridge = match t.external_bridge() {
        Ok(b) => Some(b),
        Err(why) => {
            underivable(decl, &why, &mut out);
            None
        }
    };
    let Some(cidr) = subnet(decl, bridge.as_ref(), &mut out) else {
        return out;
    };
    let gateway = gateway(t, decl, bridge.as_ref(), cidr, &mut out);
    pool(t, decl, cidr, gateway, &mut out);
    if !nat::masquerades(t, cidr) {
        let source = bridge.as_ref().map_or(cidr, ExternalBridge::subnet);
        out.push(
            Diagnostic::new(
                decl.span.clone(),
                format!(
                    "no [[nat]] masquerades the external network {cidr}: floating IPs would not reach the internet"
                ),
            )
            .help(format!(
                "add [[nat]] with source = \"{source}\" and out = \"${{uplink}}\""
            )),
        );
    }
    out
}

/// The bridge is not there and `cidr` or `gateway` is not declared either.
fn underivable(decl: &ExternalNetworkDecl, why: &NoExternalBridge, out: &mut Vec<Diagnostic>) {
    let missing = match (&decl.cidr, &decl.gateway) {
        (Some(_), Some(_)) => return,
        (None, None) => "`cidr` and `gateway`",
        (None, Some(_)) => "`cidr`",
        (Some(_), None) => "`gateway`",
    };
    let fix = match why {
        NoExternalBridge::NoKolla => {
            "add [kolla] with neutron_external_interface in [kolla.globals]".to_string()
        }
        NoExternalBridge::NoExternalInterface => {
            "set neutron_external_interface in [kolla.globals] to a veth end, e.g. \"veth-ovs\""
                .to_string()
        }
        NoExternalBridge::NotAVeth { interface } => format!(
            "declare \"{interface}\" with type = \"veth\" and a peer enslaved to the outside bridge"
        ),
        NoExternalBridge::PeerWithoutMaster { peer, .. } => format!(
            "set master = \"BRIDGE\" in [interfaces.{peer}], the bridge that plays the outside network"
        ),
        NoExternalBridge::NoIpv4Address { bridge, .. } => {
            format!("give \"{bridge}\" an IPv4 address, e.g. addresses = [\"10.0.2.2/24\"]")
        }
    };
    out.push(
        Diagnostic::new(
            decl.span.clone(),
            format!("the external network's {missing} cannot be derived: {why}"),
        )
        .help(format!("declare {missing} here, or {fix}")),
    );
}

/// The external subnet: the declared `cidr`, inside the bridge's subnet,
/// or the bridge's subnet; `None` when neither is known or it was refused.
fn subnet(
    decl: &ExternalNetworkDecl,
    bridge: Option<&ExternalBridge>,
    out: &mut Vec<Diagnostic>,
) -> Option<Ipv4Net> {
    match (&decl.cidr, bridge) {
        (Some(cidr), Some(b)) if !b.subnet().contains(&cidr.value) => {
            let (net, name) = (b.subnet(), &b.bridge.value);
            out.push(
                Diagnostic::new(
                    cidr.span.clone(),
                    format!(
                        "cidr {} is not inside {net}, the subnet of \"{name}\" behind neutron_external_interface \"{}\"",
                        cidr.value, b.interface.value
                    ),
                )
                .help(format!(
                    "write \"{net}\" or a network inside it, or leave `cidr` out: it is derived"
                )),
            );
            None
        }
        (Some(cidr), _) => Some(cidr.value),
        (None, b) => b.map(ExternalBridge::subnet),
    }
}

/// An address of `net` an interface may take: not its network or broadcast
/// address (a /31 or /32 has neither).
fn host_of(net: Ipv4Net, a: Ipv4Addr) -> bool {
    net.contains(&a) && (net.prefix_len() >= 31 || (a != net.network() && a != net.broadcast()))
}

/// The gateway, declared or the bridge's address; it must be a host
/// address of `cidr` and one of the bridge's.
fn gateway(
    t: &Topology,
    decl: &ExternalNetworkDecl,
    bridge: Option<&ExternalBridge>,
    cidr: Ipv4Net,
    out: &mut Vec<Diagnostic>,
) -> Option<Ipv4Addr> {
    let Some(declared) = &decl.gateway else {
        let b = bridge?;
        let gw = b.gateway();
        if host_of(cidr, gw) {
            return Some(gw);
        }
        let span = decl
            .cidr
            .as_ref()
            .map_or(decl.span.clone(), |c| c.span.clone());
        let message = format!(
            "cidr {cidr} does not hold the gateway {gw}, the address of \"{}\"",
            b.bridge.value
        );
        let help = format!(
            "widen cidr to hold {gw}, e.g. \"{}\": the bridge's address is the subnet's gateway",
            b.subnet()
        );
        out.push(Diagnostic::new(span, message).help(help));
        return None;
    };
    let gw = declared.value;
    if !host_of(cidr, gw) {
        let help = match bridge {
            Some(b) => format!(
                "write \"{}\", the address of \"{}\"",
                b.gateway(),
                b.bridge.value
            ),
            None => {
                format!("write an address of {cidr} other than its network and broadcast addresses")
            }
        };
        out.push(
            Diagnostic::new(
                declared.span.clone(),
                format!("gateway {gw} is not a host address of cidr {cidr}"),
            )
            .help(help),
        );
        return None;
    }
    if let Some(b) = bridge
        && !ipv4_of(t, &b.bridge.value).contains(&gw)
    {
        let (name, own) = (&b.bridge.value, b.gateway());
        out.push(
            Diagnostic::new(
                declared.span.clone(),
                format!("gateway {gw} is not an address of \"{name}\" ({own})"),
            )
            .help(format!(
                "write gateway = \"{own}\", or leave it out: \"{name}\" is the one thing on the outside network that answers and NATs"
            )),
        );
    }
    Some(gw)
}

fn ipv4_of(t: &Topology, interface: &str) -> Vec<Ipv4Addr> {
    let addresses = t.interfaces.get(interface).map(|i| &i.addresses);
    addresses
        .into_iter()
        .flatten()
        .filter_map(|a| match a.value {
            IpNet::V4(net) => Some(net.addr()),
            IpNet::V6(_) => None,
        })
        .collect()
}

/// Every address the file gives the host, with whose it is.
fn taken(t: &Topology, gateway: Option<Ipv4Addr>) -> Vec<(Ipv4Addr, String)> {
    let mut taken: Vec<(Ipv4Addr, String)> = t
        .interfaces
        .values()
        .flat_map(|i| i.addresses.iter().map(move |a| (i, a)))
        .filter_map(|(i, a)| match a.value.addr() {
            IpAddr::V4(v4) => Some((v4, format!("the address of \"{}\"", i.name))),
            IpAddr::V6(_) => None,
        })
        .collect();
    let vip = match t.kolla.as_ref().map(|k| &k.vip.value) {
        Some(Vip::Address(vip)) => Some(*vip),
        _ => None,
    };
    let more = [(gateway, "the gateway"), (vip, "Kolla's vip")];
    for (address, whose) in more {
        if let Some(a) = address.filter(|a| taken.iter().all(|(t, _)| t != a)) {
            taken.push((a, whose.to_string()));
        }
    }
    taken
}

/// The declared pool inside `cidr` and clear of the host's addresses, or
/// a pool that can be derived.
fn pool(
    t: &Topology,
    decl: &ExternalNetworkDecl,
    cidr: Ipv4Net,
    gateway: Option<Ipv4Addr>,
    out: &mut Vec<Diagnostic>,
) {
    let taken = taken(t, gateway);
    let addresses: Vec<Ipv4Addr> = taken.iter().map(|(a, _)| *a).collect();
    let derived = derived_pool(cidr, &addresses);
    let Some(pool) = &decl.allocation_pool else {
        if derived.is_none() {
            out.push(
                Diagnostic::new(
                    decl.span.clone(),
                    format!("no allocation pool can be derived: the upper half of {cidr} has no address the host does not use"),
                )
                .help(format!("declare allocation_pool = \"FIRST-LAST\" inside {cidr}, clear of the host's addresses, or widen cidr")),
            );
        }
        return;
    };
    let (first, last) = pool.value;
    let example = match derived {
        Some((a, b)) => format!("e.g. \"{a}-{b}\", "),
        None => String::new(),
    };
    let problem = if let Some(end) = [first, last].into_iter().find(|a| !host_of(cidr, *a)) {
        let what = if cidr.contains(&end) {
            "the network or broadcast address"
        } else {
            "outside"
        };
        format!("reaches {end}, {what} of cidr {cidr}")
    } else {
        let clashes: Vec<String> = taken
            .iter()
            .filter(|(a, _)| (first..=last).contains(a))
            .map(|(a, whose)| format!("{a} ({whose})"))
            .collect();
        if clashes.is_empty() {
            return;
        }
        format!("holds {}", clashes.join(", "))
    };
    out.push(
        Diagnostic::new(
            pool.span.clone(),
            format!("allocation_pool {first}-{last} {problem}"),
        )
        .help(format!(
            "Neutron hands these addresses to routers and floating IPs: write a range of {cidr}'s host addresses the host does not use, {example}or leave allocation_pool out"
        )),
    );
}

#[cfg(test)]
#[path = "external_network_tests.rs"]
mod tests;
