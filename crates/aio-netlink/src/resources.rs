//! `[interfaces]` as engine resources: each interface's link, then its addresses.

use aio_engine::Resource;
use aio_topology::Topology;

use crate::address::desired::resources as addresses;
use crate::link::desired::resource as link;

/// The resources that make `[interfaces]` true.
pub fn resources(topology: &Topology) -> Vec<Resource> {
    let mut out = Vec::new();
    for iface in topology.interfaces.values() {
        out.push(link(topology, iface));
        out.extend(addresses(iface));
    }
    out
}
