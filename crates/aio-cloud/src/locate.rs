//! Where the topology says what the cloud side must be: the line of each
//! value a conflict concerns, found in the file's text after the place
//! the parsed topology locates (a port's table, `octavia_amp_network`).

use aio_engine::ResourceId;
use aio_topology::{Span, Topology};

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
    let amp = amp_network(topology);
    let in_amp = |name: &str| {
        amp.as_ref()
            .and_then(|s| key_after(topology, s.start, name))
    };
    let mut out = Vec::new();
    match key {
        "segmentation_id" | "network_type" => {
            if let Some((port, _)) = &octavia.port {
                if let Some(span) = port_tag(topology, port) {
                    out.push((span, format!("the tag of OVS port {port}")));
                }
            }
            let name = match key {
                "segmentation_id" => "provider_segmentation_id",
                _ => "provider_network_type",
            };
            out.extend(in_amp(name).map(|s| (s, format!("octavia_amp_network.{name}"))));
        }
        "physical_network" => {
            out.extend(
                in_amp("provider_physical_network")
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
                in_amp("gateway_ip").map(|s| (s, "octavia_amp_network.subnet.gateway_ip".into())),
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

/// The `tag = N` of OVS port `port`, after its table's name.
fn port_tag(topology: &Topology, port: &str) -> Option<Span> {
    let ovs = topology.ovs.as_ref()?;
    let p = ovs.bridges.values().find_map(|b| b.ports.get(port))?;
    key_after(topology, p.name_span.start, "tag")
}

/// The value of the first `key = value` line from the line holding
/// `from` on, as a span. The callers start at the table that holds the
/// key, and the key is there (the topology was parsed with it).
fn key_after(topology: &Topology, from: usize, key: &str) -> Option<Span> {
    let text = topology.source.text();
    let mut offset = text[..from.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    for line in text[offset..].split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key) {
            let rest_trim = rest.trim_start();
            if let Some(value) = rest_trim.strip_prefix('=') {
                let value_start =
                    offset + line.len() - value.len() + (value.len() - value.trim_start().len());
                let value_text = value.trim_start();
                let end = value_text.find('#').unwrap_or(value_text.len());
                return Some(value_start..value_start + value_text[..end].trim_end().len());
            }
        }
        offset += line.len();
    }
    None
}
