//! Octavia's management network agrees with its cable. Kolla's
//! `octavia_amp_network` makes the amphorae's network (a VLAN on a physnet,
//! a subnet with a gateway); the host's end of it is
//! `octavia_network_interface`, one end of a veth pair whose other end is
//! an access port of an OVS bridge (`v-lbaas` and `v-lbaas-vlan` on
//! `br-ex`). So:
//!
//! - `provider_segmentation_id` is that port's `tag`;
//! - `provider_physical_network` is physnet1 when the port's bridge is
//!   physnet1's (the first `neutron_bridge_name`, `br-ex` when unset);
//! - `subnet.gateway_ip` is an address of `octavia_network_interface`, the
//!   host's end and the only router on that network.
//!
//! Values holding Jinja (`{{`) are not judged, nor an interface the file
//! does not declare.

use toml::Value;

use super::physnet::{PHYSNET, first_item, physnet_bridge};
use crate::diag::{Diagnostic, Span};
use crate::locate::value_span;
use crate::model::{InterfaceKind, OvsPort, Topology};

const AMP: &str = "octavia_amp_network";

pub(crate) fn check(t: &Topology) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(kolla) = &t.kolla else {
        return out;
    };
    let Some(amp) = kolla.globals.get(AMP) else {
        return out;
    };
    let Value::Table(network) = &amp.value else {
        return out;
    };
    let Some(hm) = first_item(kolla, "octavia_network_interface") else {
        return out;
    };
    // Where a key of `octavia_amp_network` is written; at the table if not found.
    let at = |keys: &[&str]| {
        let path: Vec<&str> = ["kolla", "globals", AMP]
            .iter()
            .chain(keys)
            .copied()
            .collect();
        value_span(&t.source, &path).unwrap_or_else(|| amp.span.clone())
    };
    if let Some((bridge, port)) = port_of(t, &hm) {
        if let Some(Value::Integer(id)) = network.get("provider_segmentation_id")
            && port.tag.map(i64::from) != Some(*id)
        {
            let span = at(&["provider_segmentation_id"]);
            out.push(vlan(t, &hm, bridge, port, *id, span));
        }
        if let Some(Value::String(physnet)) = network.get("provider_physical_network")
            && !physnet.contains("{{")
            && physnet != PHYSNET
            && bridge == physnet_bridge(kolla)
        {
            out.push(
                Diagnostic::new(
                    at(&["provider_physical_network"]),
                    format!(
                        "provider_physical_network \"{physnet}\" is not {PHYSNET}, the physnet of {bridge} that carries \"{}\"",
                        port.name
                    ),
                )
                .help(format!(
                    "write \"{PHYSNET}\": Kolla maps {PHYSNET} to the first neutron_bridge_name ({bridge}), where octavia_network_interface's veth peer is a port"
                )),
            );
        }
    }
    let gateway = network
        .get("subnet")
        .and_then(|s| s.get("gateway_ip"))
        .and_then(Value::as_str)
        .and_then(|g| g.parse::<std::net::IpAddr>().ok());
    if let Some(gateway) = gateway {
        out.extend(gateway_ip(t, &hm, gateway, at(&["subnet", "gateway_ip"])));
    }
    out
}

/// The OVS port that is the veth peer of `interface`, and its bridge.
fn port_of<'t>(t: &'t Topology, interface: &str) -> Option<(&'t str, &'t OvsPort)> {
    let peer = match &t.interfaces.get(interface)?.kind {
        InterfaceKind::Veth { peer } => peer,
        InterfaceKind::VethPeer { of } => of,
        _ => return None,
    };
    t.ovs.as_ref()?.bridges.values().find_map(|b| {
        let port = b.ports.get(peer)?;
        Some((b.name.as_str(), port))
    })
}

fn vlan(t: &Topology, hm: &str, bridge: &str, port: &OvsPort, id: i64, span: Span) -> Diagnostic {
    let path = ["ovs", "bridges", bridge, "ports", &port.name, "tag"];
    let tag_at = value_span(&t.source, &path).unwrap_or_else(|| port.name_span.clone());
    let line = t.source.line_col(tag_at.start).0;
    let file = t.source.path().display();
    let tag = match port.tag {
        Some(tag) => format!("the tag {tag}"),
        None => "no `tag`".to_string(),
    };
    Diagnostic::new(
        span,
        format!(
            "provider_segmentation_id {id} is not the VLAN of \"{}\" on {bridge}, octavia_network_interface \"{hm}\"'s veth peer, which has {tag} ({file}:{line})",
            port.name
        ),
    )
    .help("make them the same: the amphorae's VLAN is the port's tag")
}

fn gateway_ip(t: &Topology, hm: &str, gateway: std::net::IpAddr, span: Span) -> Option<Diagnostic> {
    let iface = t.interfaces.get(hm)?;
    let own: Vec<String> = iface
        .addresses
        .iter()
        .map(|a| a.value.addr().to_string())
        .collect();
    if iface.addresses.iter().any(|a| a.value.addr() == gateway) {
        return None;
    }
    let (has, help) = match own.first() {
        Some(first) => (
            format!("({})", own.join(", ")),
            format!(
                "write gateway_ip = \"{first}\": \"{hm}\" is the host's end of the amphorae's network and the only router on it"
            ),
        ),
        None => (
            "(it has none in the file)".to_string(),
            format!(
                "give \"{hm}\" the address {gateway} with its prefix in addresses: it is the host's end of the amphorae's network and the only router on it"
            ),
        ),
    };
    Some(
        Diagnostic::new(
            span,
            format!(
                "gateway_ip {gateway} is not an address of octavia_network_interface \"{hm}\" {has}"
            ),
        )
        .help(help),
    )
}

#[cfg(test)]
#[path = "octavia_tests.rs"]
mod tests;
