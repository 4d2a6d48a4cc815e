//! The uplink (management NIC) is never modified. These checks run on the
//! file alone when `host.uplink` names the NIC, and again once the live
//! system has told which NIC and address `auto` means.

use crate::diag::Diagnostic;
use crate::model::{InterfaceKind, Topology, Vip};
use crate::subst::{Facts, Template};

const NEVER: &str =
    "aio never modifies the uplink (the management NIC): the host would lose its own connectivity";

pub fn check(t: &Topology, facts: &Facts) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(uplink) = &facts.uplink {
        interfaces(t, uplink, &mut out);
        ovs_ports(t, uplink, &mut out);
        neutron_external(t, uplink, facts, &mut out);
    }
    if let Some(address) = facts.uplink_address {
        vips(t, address, facts, &mut out);
    }
    out
}

fn interfaces(t: &Topology, uplink: &str, out: &mut Vec<Diagnostic>) {
    for iface in t.interfaces.values() {
        if iface.name == uplink {
            let (span, message) = match (&iface.master, &iface.kind) {
                (Some(m), _) => (
                    m.span.clone(),
                    format!(
                        "the uplink \"{uplink}\" cannot be enslaved to \"{}\"",
                        m.value
                    ),
                ),
                (None, InterfaceKind::VethPeer { of }) => (
                    iface.name_span.clone(),
                    format!("the uplink \"{uplink}\" cannot be the peer of veth \"{of}\""),
                ),
                _ => (
                    iface.name_span.clone(),
                    format!("the uplink \"{uplink}\" cannot be declared under [interfaces]"),
                ),
            };
            out.push(Diagnostic::new(span, message).help(format!(
                "{NEVER}; remove [interfaces.{uplink}] or set host.uplink"
            )));
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
