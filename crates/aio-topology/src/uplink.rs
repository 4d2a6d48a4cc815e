//! The host's connectivity is out of reach, whatever the file says.
//!
//! Protected: the uplink and every interface that carries an IPv4 or IPv6
//! default route, their addresses and their sysctls. These checks run on the
//! file alone when `host.uplink` names the NIC, and again once the live
//! system has told which interfaces carry default routes (see [`Facts`]).

use ipnet::IpNet;

use crate::diag::Diagnostic;
use crate::model::{InterfaceKind, Topology, Uplink, Vip};
use crate::subst::{Facts, Template};

const NEVER: &str = "aio never modifies an interface that carries a default route (the uplink): the host would lose its own connectivity";

pub fn check(t: &Topology, facts: &Facts) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    uplink_carries_the_route(t, facts, &mut out);
    let mut names: Vec<&str> = facts.protected.iter().map(|p| p.name.as_str()).collect();
    if let Some(uplink) = facts.uplink.as_deref().filter(|u| !names.contains(u)) {
        names.push(uplink);
    }
    for name in names {
        interfaces(t, name, &mut out);
        ovs_ports(t, name, &mut out);
        neutron_external(t, name, facts, &mut out);
        sysctls(t, name, &mut out);
    }
    addresses(t, facts, &mut out);
    if let Some(address) = facts.uplink_address {
        vips(t, address, facts, &mut out);
    }
    // Callers sort every diagnostic of the file together.
    out
}

/// A named uplink must be the interface the host reaches the world through.
fn uplink_carries_the_route(t: &Topology, facts: &Facts, out: &mut Vec<Diagnostic>) {
    let Uplink::Named(name) = &t.host.uplink.value else {
        return;
    };
    if facts.protected.is_empty() || facts.protected.iter().any(|p| &p.name == name) {
        return;
    }
    let carriers: Vec<&str> = facts.protected.iter().map(|p| p.name.as_str()).collect();
    out.push(
        Diagnostic::new(
            t.host.uplink.span.clone(),
            format!(
                "host.uplink \"{name}\" does not carry the default route; {} does",
                carriers.join(" and ")
            ),
        )
        .help(format!(
            "set uplink = \"{}\" (or \"auto\"): aio protects the interface the host really uses",
            carriers[0]
        )),
    );
}

fn interfaces(t: &Topology, uplink: &str, out: &mut Vec<Diagnostic>) {
    for iface in t.interfaces.values() {
        if iface.name == uplink {
            let remove = format!("remove [interfaces.{uplink}] or set host.uplink");
            let (span, message, fix) = match (&iface.master, &iface.kind) {
                (Some(m), _) => (
                    m.span.clone(),
                    format!(
                        "the uplink \"{uplink}\" cannot be enslaved to \"{}\"",
                        m.value
                    ),
                    remove,
                ),
                // At the veth's `peer`, which is what makes it.
                (None, InterfaceKind::VethPeer { of }) => (
                    t.interfaces
                        .get(of)
                        .and_then(|veth| veth.peer_span.clone())
                        .unwrap_or_else(|| iface.name_span.clone()),
                    format!("the uplink \"{uplink}\" cannot be the peer of veth \"{of}\""),
                    format!("name a new interface as the `peer` of \"{of}\", or set host.uplink"),
                ),
                _ => (
                    iface.name_span.clone(),
                    format!("the uplink \"{uplink}\" cannot be declared under [interfaces]"),
                    remove,
                ),
            };
            out.push(Diagnostic::new(span, message).help(format!("{NEVER}; {fix}")));
        } else if let Some(m) = iface.master.as_ref().filter(|m| m.value == uplink) {
            out.push(
                Diagnostic::new(
                    m.span.clone(),
                    format!(
                        "\"{}\" cannot be enslaved to the uplink \"{uplink}\"",
                        iface.name
                    ),
                )
                .help(NEVER),
            );
        }
    }
}

fn ovs_ports(t: &Topology, uplink: &str, out: &mut Vec<Diagnostic>) {
    let ports = t
        .ovs
        .iter()
        .flat_map(|o| o.bridges.values())
        .flat_map(|b| b.ports.values());
    for port in ports.filter(|p| p.name == uplink) {
        out.push(
            Diagnostic::new(
                port.name_span.clone(),
                format!("the uplink \"{uplink}\" cannot be an OVS port"),
            )
            .help(format!(
                "{NEVER}; give OVS a veth end instead (see veth-ovs in the reference topology)"
            )),
        );
    }
}

/// `net.ipv4.conf.IF.*`, `net.ipv6.conf.IF.*`, `net.ipv{4,6}.neigh.IF.*` of a protected interface.
fn sysctls(t: &Topology, uplink: &str, out: &mut Vec<Diagnostic>) {
    for s in &t.sysctl {
        let parts: Vec<&str> = s.key.value.split('.').collect();
        let per_interface = matches!(
            parts.as_slice(),
            ["net", "ipv4" | "ipv6", "conf" | "neigh", iface, _, ..] if *iface == uplink
        );
        if per_interface {
            out.push(
                Diagnostic::new(
                    s.key.span.clone(),
                    format!("sysctl {} changes the uplink \"{uplink}\"", s.key.value),
                )
                .help(format!(
                    "{NEVER}; remove this key, or set it by hand if you mean it"
                )),
            );
        }
    }
}

/// Addresses that would take the host's own addresses, gateway or subnet.
fn addresses(t: &Topology, facts: &Facts, out: &mut Vec<Diagnostic>) {
    for iface in t.interfaces.values() {
        if facts.protected.iter().any(|p| p.name == iface.name) {
            continue; // refused whole above
        }
        for a in &iface.addresses {
            let clash = facts.protected.iter().find_map(|p| clash(&a.value, p));
            if let Some(why) = clash {
                out.push(
                    Diagnostic::new(
                        a.span.clone(),
                        format!("{} on \"{}\" {why}", a.value, iface.name),
                    )
                    .help(format!(
                        "{NEVER}; give \"{}\" a subnet the host does not use",
                        iface.name
                    )),
                );
            }
        }
    }
}

/// How `address` would collide with the protected interface `p`.
fn clash(address: &IpNet, p: &crate::subst::Protected) -> Option<String> {
    if p.gateways.contains(&address.addr()) {
        return Some(format!(
            "is the default gateway {} (through \"{}\")",
            address.addr(),
            p.name
        ));
    }
    for own in &p.addresses {
        if own.addr() == address.addr() {
            return Some(format!("is the address of \"{}\" ({own})", p.name));
        }
        if own.contains(&address.addr()) || address.contains(&own.addr()) {
            return Some(format!(
                "overlaps the subnet {} of \"{}\": its routes would take the host's traffic",
                own.trunc(),
                p.name
            ));
        }
    }
    None
}

/// A global of `[kolla.globals]` as a string, substitutions filled where known.
fn global(t: &Topology, key: &str, facts: &Facts) -> Option<(String, std::ops::Range<usize>)> {
    let value = t.kolla.as_ref()?.globals.get(key)?;
    let text = value.value.as_str()?;
    let resolved = Template::parse(text).ok()?.resolve(facts).ok()?;
    Some((resolved, value.span.clone()))
}

fn neutron_external(t: &Topology, uplink: &str, facts: &Facts, out: &mut Vec<Diagnostic>) {
    if let Some((name, span)) =
        global(t, "neutron_external_interface", facts).filter(|(n, _)| n == uplink)
    {
        out.push(Diagnostic::new(span, format!("neutron_external_interface is the uplink \"{name}\"")).help(format!(
            "{NEVER}; OVN would take it into br-ex: hand Neutron a veth end (e.g. \"veth-ovs\") instead"
        )));
    }
}

fn vips(t: &Topology, address: std::net::Ipv4Addr, facts: &Facts, out: &mut Vec<Diagnostic>) {
    let Some(kolla) = &t.kolla else { return };
    let help = "keepalived removes a VIP when it stops, which would cut the host off: pick a free address on the uplink's subnet, or \"auto\"";
    if kolla.vip.value == Vip::Address(address) {
        out.push(
            Diagnostic::new(
                kolla.vip.span.clone(),
                format!("vip {address} is the uplink's own address"),
            )
            .help(help),
        );
    }
    if let Some((_, span)) =
        global(t, "kolla_external_vip_address", facts).filter(|(a, _)| *a == address.to_string())
    {
        out.push(
            Diagnostic::new(
                span,
                format!("kolla_external_vip_address {address} is the uplink's own address"),
            )
            .help(help),
        );
    }
}
