//! `[ovs]` as engine resources.

use aio_engine::{Attrs, Resource, ResourceId};
use aio_topology::{OvsPortType, Topology};
use serde_json::{Value, json};

pub const PROVIDER: &str = "ovs";

pub fn bridge_id(bridge: &str) -> ResourceId {
    ResourceId::new("ovs-bridge", bridge)
}

pub fn port_id(bridge: &str, port: &str) -> ResourceId {
    ResourceId::new("ovs-port", &format!("{bridge}/{port}"))
}

/// The resources for `[ovs]`; ports on a `provided_by = "kolla"` bridge
/// depend on `provider` (the Kolla deployment), which creates the bridge.
pub fn resources(topology: &Topology, provider: Option<ResourceId>) -> Vec<Resource> {
    let Some(ovs) = &topology.ovs else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for bridge in ovs.bridges.values() {
        if !bridge.provided_by_kolla {
            let mut attrs = Attrs::new();
            if let Some(d) = &bridge.datapath_type {
                attrs.insert("datapath_type".into(), json!(d));
            }
            if let Some(f) = &bridge.fail_mode {
                attrs.insert("fail_mode".into(), json!(f));
            }
            out.push(Resource {
                id: bridge_id(&bridge.name),
                provider: PROVIDER.into(),
                attrs,
                deps: vec![],
                replace_on: vec![],
            });
        }
        for port in bridge.ports.values() {
            let mut deps = Vec::new();
            if !bridge.provided_by_kolla {
                deps.push(bridge_id(&bridge.name));
            } else if let Some(p) = &provider {
                deps.push(p.clone());
            }
            if topology.interfaces.contains_key(&port.name) {
                deps.push(ResourceId::new("link", &port.name));
            }
            let kind = match port.kind {
                OvsPortType::System => "system",
                OvsPortType::Internal => "internal",
            };
            // OVSDB keeps sets sorted.
            let mut trunks = port.trunks.clone();
            trunks.sort_unstable();
            trunks.dedup();
            let mut attrs = Attrs::new();
            attrs.insert("bridge".into(), json!(bridge.name));
            attrs.insert("tag".into(), port.tag.map_or(Value::Null, Value::from));
            attrs.insert("trunks".into(), json!(trunks));
            attrs.insert("type".into(), json!(kind));
            out.push(Resource {
                id: port_id(&bridge.name, &port.name),
                provider: PROVIDER.into(),
                attrs,
                deps,
                replace_on: vec!["bridge".into()],
            });
        }
    }
    out
}
