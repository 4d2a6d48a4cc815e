//! Where in the topology file a resource comes from, so that an apply that
//! fails names the file position beside the resource and the kernel's words.

use aio_engine::ResourceId;
use aio_topology::Topology;

/// `FILE:LINE:COL` of what declares `id`, if the file declares it.
pub fn locate(topology: &Topology, id: &ResourceId) -> Option<String> {
    let name = id.name();
    let span = match id.kind() {
        "link" => topology.interfaces.get(name).map(|i| i.name_span.clone()),
        "address" => {
            let (iface, cidr) = name.split_once('/')?;
            topology
                .interfaces
                .get(iface)?
                .addresses
                .iter()
                .find(|a| a.value.to_string() == cidr)
                .map(|a| a.span.clone())
        }
        "sysctl" => topology
            .sysctl
            .iter()
            .find(|s| s.key.value == name)
            .map(|s| s.key.span.clone()),
        "nat" => {
            let (_, source) = name.split_once('/')?;
            topology
                .nat
                .iter()
                .find(|n| n.source.to_string() == source)
                .map(|n| n.out.span.clone())
        }
        "ovs-port" => {
            let (bridge, port) = name.split_once('/')?;
            let ovs = topology.ovs.as_ref()?;
            ovs.bridges
                .get(bridge)?
                .ports
                .get(port)
                .map(|p| p.name_span.clone())
        }
        "kolla" => topology.kolla.as_ref().map(|k| k.vip.span.clone()),
        _ => None,
    }?;
    let (line, col) = topology.source.line_col(span.start);
    Some(format!("{}:{line}:{col}", topology.source.path().display()))
}
