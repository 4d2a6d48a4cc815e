//! `[ovs]` as engine resources (see [`crate::id`] for their ids and attributes).

use aio_engine::{ProviderName, Resource, TypedAttrs};
use aio_family::ids;
use aio_topology::{OvsPortType, Topology};

use crate::id::{BridgeAttrs, PortAttrs, PortId, PortType, bridge_id};

pub const PROVIDER: ProviderName = ProviderName::new("ovs");

/// The resources for `[ovs]`. Ports on a `provided_by = "kolla"` bridge wait
/// for the Kolla deployment (which creates the bridge) when the topology has one.
pub fn resources(topology: &Topology) -> Vec<Resource> {
    let Some(ovs) = &topology.ovs else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for bridge in ovs.bridges.values() {
        if !bridge.provided_by_kolla {
            let attrs = BridgeAttrs {
                datapath_type: bridge.datapath_type.clone(),
                fail_mode: bridge.fail_mode.clone(),
            };
            out.push(Resource::new(bridge_id(&bridge.name), PROVIDER).with_attrs(attrs.to_attrs()));
        }
        for port in bridge.ports.values() {
            let id = PortId {
                bridge: bridge.name.clone(),
                port: port.name.clone(),
            };
            let mut r = Resource::new(id.into(), PROVIDER);
            if !bridge.provided_by_kolla {
                r = r.after(bridge_id(&bridge.name));
            } else if topology.kolla.is_some() {
                // Kolla's deploy makes the bridge and starts OVSDB itself.
                r = r.provided_by(ids::kolla_deployment());
            }
            if topology.interfaces.contains_key(&port.name) {
                r = r.after(ids::link(&port.name));
            }
            let mut trunks = port.trunks.clone();
            trunks.sort_unstable();
            trunks.dedup();
            let attrs = PortAttrs {
                bridge: bridge.name.clone(),
                tag: port.tag,
                trunks,
                kind: match port.kind {
                    OvsPortType::System => PortType::System,
                    OvsPortType::Internal => PortType::Internal,
                },
            };
            out.push(r.with_attrs(attrs.to_attrs()).replaced_on(&["bridge"]));
        }
    }
    out
}
