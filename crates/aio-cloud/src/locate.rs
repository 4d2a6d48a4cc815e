//! Where the topology says what the cloud side must be: the place of each
//! value a conflict concerns.

use aio_engine::ResourceId;
use aio_topology::{Span, Topology, value_span};

use crate::attrs::{NETWORK, OCTAVIA, SUBNET};
use crate::spec::Octavia;

/// Where `topology` declares `id`.
pub fn resource(topology: &Topology, id: &ResourceId) -> Option<Span> {
    if id.is(&NETWORK) || id.is(&SUBNET) {
        let decl = topology.neutron.as_ref()?.external_network.as_ref()?;
        return Some(decl.span.clone());
    }
    if id.is(&OCTAVIA) {
        return amp_network(topology).or_else(|| Some(topology.neutron.as_ref()?.span.clone()));
    }
    None
}

/// Each place holding what Octavia's network must have as `key`, with what
/// it is.
pub fn octavia_key(topology: &Topology, key: &str) -> Vec<(Span, String)> {
    let Some(octavia) = Octavia::of(topology) else {
        return Vec::new();
    };
    let in_amp = |path: &[&str]| {
        let full = [&["kolla", "globals", "octavia_amp_network"][..], path].concat();
        value_span(&topology.source, &full)
    };
    let mut out = Vec::new();
    match key {
        "segmentation_id" | "network_type" => {
            if let Some((port, _)) = &octavia.port
                && let Some(span) = port_tag(topology, port)
            {
                out.push((span, format!("the tag of OVS port {port}")));
            }
            let name = match key {
                "segmentation_id" => "provider_segmentation_id",
                _ => "provider_network_type",
            };
            out.extend(in_amp(&[name]).map(|s| (s, format!("octavia_amp_network.{name}"))));
        }
        "physical_network" => {
            out.extend(
                in_amp(&["provider_physical_network"])
                    .map(|s| (s, "octavia_amp_network.provider_physical_network".into())),
            );
        }
        "gateway_ip" => {
            if let Some((interface, _)) = &octavia.gateway {
                let iface = topology.interfaces.get(interface);
                if let Some(a) = iface.and_then(|i| i.addresses.first()) {
                    out.push((a.span.clone(), format!("the address of {interface}")));
                }
            }
            out.extend(
                in_amp(&["subnet", "gateway_ip"])
                    .map(|s| (s, "octavia_amp_network.subnet.gateway_ip".into())),
            );
        }
        "mtu" => {
            let key = (
                "neutron.conf".into(),
                "DEFAULT".into(),
                "global_physnet_mtu".into(),
            );
            let spans = topology.kolla.as_ref().map(|k| &k.spans.config);
            if let Some(span) = spans.and_then(|s| s.get(&key)) {
                out.push((span.clone(), "global_physnet_mtu, the physnet's MTU".into()));
            }
        }
        _ => {}
    }
    out
}

/// Where `octavia_amp_network` is written in `[kolla.globals]`.
fn amp_network(topology: &Topology) -> Option<Span> {
    let kolla = topology.kolla.as_ref()?;
    Some(kolla.globals.get("octavia_amp_network")?.span.clone())
}

/// The `tag = N` of OVS port `port`.
fn port_tag(topology: &Topology, port: &str) -> Option<Span> {
    let ovs = topology.ovs.as_ref()?;
    let (bridge, _) = ovs
        .bridges
        .iter()
        .find(|(_, b)| b.ports.contains_key(port))?;
    let path = ["ovs", "bridges", bridge.as_str(), "ports", port, "tag"];
    value_span(&topology.source, &path)
}

#[cfg(test)]
#[path = "locate_tests.rs"]
mod tests;
