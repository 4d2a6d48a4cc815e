//! The paths in order, each hop judged by its source: aio's plan for what
//! the topology declares, Open vSwitch for what Kolla and OVN set, the
//! probes for what only traffic shows.

use aio_engine::ResourceId;
use aio_topology::Topology;

use crate::design::{Design, External, Octavia, Physnet};
use crate::judge::Judge;
use crate::probe::Probed;
use crate::report::{Hop, PathReport};
use crate::switch::Switch;

/// What the hops are judged by.
pub struct Sources<'a> {
    pub topology: &'a Topology,
    pub design: &'a Design,
    pub judge: &'a Judge<'a>,
    /// Open vSwitch as read, or why it could not be; `None` without `[ovs]`.
    pub switch: Option<&'a Result<Switch, String>>,
}

/// The outside network to the upstream: what floating IPs and routers'
/// SNAT use, from the uplink inwards to Neutron's network.
pub fn external(s: &Sources<'_>, ext: &External, probed: &mut Probed) -> PathReport {
    let mut hops = vec![uplink(s.design)];
    let forward = "net.ipv4.ip_forward = 1";
    hops.push(
        s.judge
            .hop("IPv4 forwarding", forward, &|id| {
                is(id, "sysctl", "net.ipv4.ip_forward")
            })
            .unwrap_or_else(|| {
                Hop::broken(
                    "IPv4 forwarding",
                    forward,
                    "the topology does not declare it",
                    "add \"net.ipv4.ip_forward\" = 1 to [sysctl]",
                )
            }),
    );
    let cidr = ext.address.trunc().to_string();
    let nat = format!("NAT of {cidr}");
    let nat_expected = format!("a masquerade rule for {cidr} out the uplink");
    hops.push(
        s.judge
            .hop(&nat, &nat_expected, &|id| {
                id.kind().as_str() == "nat" && id.name().ends_with(&format!("/{cidr}"))
            })
            .unwrap_or_else(|| {
                let fix = format!("add [[nat]] with source = \"{cidr}\" and out = \"${{uplink}}\"");
                Hop::broken(
                    &nat,
                    &nat_expected,
                    "the topology has no [[nat]] for it",
                    fix,
                )
            }),
    );
    hops.extend(link(s, &ext.bridge, &|id| on_link(id, &ext.bridge)));
    hops.extend(probed.nat.take());
    hops.extend(probed.mtu.take());
    hops.extend(link(s, &ext.peer, &|id| on_link(id, &ext.peer)));
    hops.extend(link(s, &ext.interface, &|id| on_link(id, &ext.interface)));
    if let Some(physnet) = &s.design.physnet {
        hops.extend(port_of_kolla(s, &ext.interface, physnet));
        if s.design.ovn {
            hops.extend(mapping(s, physnet));
            hops.extend(gateway_chassis(s));
        }
    }
    hops.extend(s.judge.hop(
        "Neutron's external network",
        &format!(
            "flat on the physnet, subnet {cidr} with gateway {} (the bridge's address)",
            ext.address.addr()
        ),
        &|id| matches!(id.kind().as_str(), "neutron-network" | "neutron-subnet"),
    ));
    PathReport {
        name: format!("the outside network ({} to the upstream)", ext.bridge),
        hops,
    }
}

/// Octavia's management network: an amphora's traffic from Neutron's
/// network over the physnet bridge's VLAN to the health manager.
pub fn octavia(s: &Sources<'_>, o: &Octavia, probed: &mut Probed) -> PathReport {
    let mut hops = Vec::new();
    hops.extend(s.judge.hop(
        "Neutron's Octavia network",
        &format!(
            "VLAN {} on the physnet, gateway {} ({}'s address)",
            o.tag,
            o.address.addr(),
            o.interface
        ),
        &|id| id.kind().as_str() == "octavia-network",
    ));
    if let Some(physnet) = &s.design.physnet {
        if s.design.ovn {
            hops.extend(mapping(s, physnet));
        }
        let name = format!("{} on {}, VLAN {}", o.port, physnet.bridge, o.tag);
        let port = s
            .judge
            .hop(&name, &format!("an OVS port with tag {}", o.tag), &|id| {
                id.kind().as_str() == "ovs-port" && id.name().ends_with(&format!("/{}", o.port))
            });
        hops.extend(port.map(|hop| match hop.verdict {
            crate::Verdict::Holds => interface_ok(s, &o.port).unwrap_or(hop),
            _ => hop,
        }));
    }
    hops.extend(link(s, &o.port, &|id| on_link(id, &o.port)));
    hops.extend(link(s, &o.interface, &|id| on_link(id, &o.interface)));
    hops.extend(probed.vlan.take());
    PathReport {
        name: format!(
            "Octavia's management network (VLAN {} to {})",
            o.tag, o.interface
        ),
        hops,
    }
}

fn uplink(d: &Design) -> Hop {
    let name = "the uplink";
    let expected = "the interface of the IPv4 default route";
    match (&d.uplink, d.gateway) {
        (Some(u), Some(gw)) => {
            let mut hop = Hop::holds(name, expected);
            hop.found = format!("{u}, default route through {gw}");
            hop
        }
        (Some(u), None) => Hop::broken(
            name,
            expected,
            format!("{u} has no IPv4 default route"),
            "the host's own network configuration (aio never changes the uplink)",
        ),
        (None, _) => Hop::broken(
            name,
            expected,
            "no IPv4 default route",
            "the host's own network configuration (aio never changes the uplink)",
        ),
    }
}

/// The link `name` and its addresses, as the topology declares them.
fn link(s: &Sources<'_>, name: &str, ids: &dyn Fn(&ResourceId) -> bool) -> Option<Hop> {
    let iface = s.topology.interfaces.get(name)?;
    let mut parts = vec!["up".to_string()];
    if let Some(m) = &iface.master {
        parts.insert(0, format!("in {}", m.value));
    }
    if let Some(mtu) = iface.mtu {
        parts.push(format!("MTU {mtu}"));
    }
    parts.extend(iface.addresses.iter().map(|a| a.value.to_string()));
    s.judge.hop(name, &parts.join(", "), ids)
}

/// `neutron_external_interface` on the physnet bridge: Kolla's port,
/// which aio does not declare, read from Open vSwitch.
fn port_of_kolla(s: &Sources<'_>, interface: &str, physnet: &Physnet) -> Option<Hop> {
    let name = format!("{interface} on {}", physnet.bridge);
    let expected = format!(
        "a port of {}, Kolla's neutron_external_interface",
        physnet.bridge
    );
    let switch = match s.switch? {
        Ok(sw) => sw,
        Err(why) => return Some(Hop::unchecked(name, expected, why.clone())),
    };
    let fix = format!(
        "Kolla's openvswitch role adds it at deploy (`kolla-ansible deploy -t openvswitch`); by hand: `ovs-vsctl --may-exist add-port {} {interface}`",
        physnet.bridge
    );
    Some(match switch.bridge_of(interface) {
        Some(b) if b == physnet.bridge => {
            interface_ok(s, interface).unwrap_or_else(|| Hop::holds(&name, &expected))
        }
        Some(other) => Hop::broken(&name, &expected, format!("a port of {other}"), fix),
        None if !switch.bridges.contains_key(&physnet.bridge) => Hop::broken(
            &name,
            &expected,
            format!("{} does not exist", physnet.bridge),
            fix,
        ),
        None => Hop::broken(
            &name,
            &expected,
            format!("{} has no port {interface}", physnet.bridge),
            fix,
        ),
    })
}

/// `Some` broken hop when OVS could not open `interface` (`ofport` -1 or an `error`).
fn interface_ok(s: &Sources<'_>, interface: &str) -> Option<Hop> {
    let sw = s.switch?.as_ref().ok()?;
    let i = sw.interfaces.get(interface)?;
    let name = format!("OVS interface {interface}");
    let expected = "opened by ovs-vswitchd (an ofport, no error)";
    match (&i.error, i.ofport) {
        (Some(e), _) => Some(Hop::broken(
            name,
            expected,
            format!("error: {e}"),
            "ovs-vswitchd's log says why; the link must exist in the host's namespace",
        )),
        (None, Some(-1)) => Some(Hop::broken(
            name,
            expected,
            "ofport -1",
            "ovs-vswitchd's log says why; the link must exist in the host's namespace",
        )),
        _ => None,
    }
}

/// OVN's `ovn-bridge-mappings`: the physnet on the bridge holding the ports.
fn mapping(s: &Sources<'_>, physnet: &Physnet) -> Option<Hop> {
    let name = "OVN's bridge mapping";
    let expected = format!(
        "ovn-bridge-mappings maps {} to {}",
        physnet.name, physnet.bridge
    );
    let sw = match s.switch? {
        Ok(sw) => sw,
        Err(why) => return Some(Hop::unchecked(name, expected, why.clone())),
    };
    let mappings = sw.bridge_mappings();
    let fix = format!(
        "Kolla's ovn-controller role sets it (`kolla-ansible reconfigure -t ovn-controller`); by hand: `ovs-vsctl set Open_vSwitch . external_ids:ovn-bridge-mappings={}:{}`",
        physnet.name, physnet.bridge
    );
    Some(match mappings.iter().find(|(n, _)| *n == physnet.name) {
        Some((_, b)) if *b == physnet.bridge => Hop::holds(name, expected),
        Some((_, b)) => Hop::broken(
            name,
            expected,
            format!("{} mapped to {b}", physnet.name),
            fix,
        ),
        None if mappings.is_empty() => {
            Hop::broken(name, expected, "ovn-bridge-mappings is not set", fix)
        }
        None => {
            let all = sw
                .external_ids
                .get("ovn-bridge-mappings")
                .cloned()
                .unwrap_or_default();
            Hop::broken(
                name,
                expected,
                format!("{} is not mapped ({all})", physnet.name),
                fix,
            )
        }
    })
}

/// The host can hold routers' gateway ports: `enable-chassis-as-gw`.
fn gateway_chassis(s: &Sources<'_>) -> Option<Hop> {
    let name = "OVN gateway chassis";
    let expected =
        "ovn-cms-options has enable-chassis-as-gw (routers' external ports can live here)";
    let sw = match s.switch? {
        Ok(sw) => sw,
        Err(why) => return Some(Hop::unchecked(name, expected, why.clone())),
    };
    let options = sw
        .external_ids
        .get("ovn-cms-options")
        .cloned()
        .unwrap_or_default();
    Some(
        match options
            .split(',')
            .any(|o| o.trim() == "enable-chassis-as-gw")
        {
            true => Hop::holds(name, expected),
            false => Hop::broken(
                name,
                expected,
                format!("ovn-cms-options is \"{options}\""),
                "Kolla sets it on its network hosts (`kolla-ansible reconfigure -t ovn-controller`); by hand: `ovs-vsctl set Open_vSwitch . external_ids:ovn-cms-options=enable-chassis-as-gw`",
            ),
        },
    )
}

fn is(id: &ResourceId, kind: &str, name: &str) -> bool {
    id.kind().as_str() == kind && id.name() == name
}

/// The link `name` or one of its addresses.
fn on_link(id: &ResourceId, name: &str) -> bool {
    match id.kind().as_str() {
        "link" => id.name() == name,
        "address" => aio_family::ids::address_parts(id).is_some_and(|(i, _)| i == name),
        _ => false,
    }
}
