//! The outside network as the plumbing makes it, in one place: Kolla plugs
//! the first `neutron_external_interface` into physnet1's bridge; that
//! interface is one end of a veth pair whose other end is enslaved to a
//! Linux bridge; that bridge's first IPv4 address gives Neutron's external
//! subnet and its gateway (the one thing on the outside network that
//! answers and NATs). `aio validate` checks `[neutron.external_network]`
//! against it and `aio show` prints the network from it.

use ipnet::{IpNet, Ipv4Net};
use std::net::{IpAddr, Ipv4Addr};

use crate::model::{InterfaceKind, Located, Topology};
use crate::validate::physnet::first_item;

/// The outside network's bridge, found from `neutron_external_interface`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalBridge {
    /// The first of `neutron_external_interface`, located at that global.
    pub interface: Located<String>,
    /// The other end of its veth pair.
    pub peer: String,
    /// The bridge `peer` is enslaved to, located at the peer's `master`.
    pub bridge: Located<String>,
    /// The bridge's first IPv4 address with its prefix, located in its
    /// `addresses`.
    pub address: Located<Ipv4Net>,
}

impl ExternalBridge {
    /// The bridge's subnet: the external network's widest `cidr`.
    pub fn subnet(&self) -> Ipv4Net {
        self.address.value.trunc()
    }

    /// The bridge's address: the external subnet's gateway.
    pub fn gateway(&self) -> Ipv4Addr {
        self.address.value.addr()
    }
}

/// The step at which [`Topology::external_bridge`] found nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoExternalBridge {
    #[error("there is no [kolla] table to name neutron_external_interface")]
    NoKolla,
    #[error("[kolla.globals] names no neutron_external_interface (or only through Jinja)")]
    NoExternalInterface,
    #[error("neutron_external_interface \"{interface}\" is not a veth end the file declares")]
    NotAVeth { interface: String },
    #[error("\"{peer}\", the veth peer of \"{interface}\", has no `master`")]
    PeerWithoutMaster { interface: String, peer: String },
    #[error("\"{bridge}\", the master of \"{peer}\", has no IPv4 address in the file")]
    NoIpv4Address { peer: String, bridge: String },
}

impl Topology {
    /// The bridge behind Kolla's first `neutron_external_interface`: its
    /// veth peer's `master`, with that bridge's first IPv4 address.
    pub fn external_bridge(&self) -> Result<ExternalBridge, NoExternalBridge> {
        let kolla = self.kolla.as_ref().ok_or(NoExternalBridge::NoKolla)?;
        let name = first_item(kolla, "neutron_external_interface")
            .ok_or(NoExternalBridge::NoExternalInterface)?;
        let span = kolla.globals["neutron_external_interface"].span.clone();
        let peer = match self.interfaces.get(&name).map(|i| &i.kind) {
            Some(InterfaceKind::Veth { peer }) => peer.clone(),
            Some(InterfaceKind::VethPeer { of }) => of.clone(),
            _ => return Err(NoExternalBridge::NotAVeth { interface: name }),
        };
        let Some(bridge) = self.interfaces.get(&peer).and_then(|p| p.master.clone()) else {
            return Err(NoExternalBridge::PeerWithoutMaster {
                interface: name,
                peer,
            });
        };
        let address = self
            .interfaces
            .get(&bridge.value)
            .into_iter()
            .flat_map(|b| &b.addresses)
            .find_map(|a| match a.value {
                IpNet::V4(net) => Some(Located {
                    value: net,
                    span: a.span.clone(),
                }),
                IpNet::V6(_) => None,
            });
        let Some(address) = address else {
            return Err(NoExternalBridge::NoIpv4Address {
                peer,
                bridge: bridge.value,
            });
        };
        Ok(ExternalBridge {
            interface: Located { value: name, span },
            peer,
            bridge,
            address,
        })
    }

    /// Every IPv4 address the file gives an interface, without prefix.
    pub fn declared_ipv4(&self) -> Vec<Ipv4Addr> {
        self.interfaces
            .values()
            .flat_map(|i| &i.addresses)
            .filter_map(|a| match a.value.addr() {
                IpAddr::V4(v4) => Some(v4),
                IpAddr::V6(_) => None,
            })
            .collect()
    }
}

/// The allocation pool taken when none is declared: the longest run of the
/// upper half of `net`'s host addresses without a `taken` one (the first
/// such run when two are as long); `None` for a /31 or /32, or when every
/// address of the upper half is taken.
pub fn derived_pool(net: Ipv4Net, taken: &[Ipv4Addr]) -> Option<(Ipv4Addr, Ipv4Addr)> {
    if net.prefix_len() > 30 {
        return None;
    }
    let network = u64::from(u32::from(net.network()));
    let broadcast = u64::from(u32::from(net.broadcast()));
    // The upper half of the block: past its first half, whose size is ceil.
    let start = network + (broadcast - network).div_ceil(2);
    let mut cuts: Vec<u64> = taken
        .iter()
        .map(|a| u64::from(u32::from(*a)))
        .filter(|a| (start..broadcast).contains(a))
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    cuts.push(broadcast);
    let mut best: Option<(u64, u64)> = None;
    let mut from = start;
    for cut in cuts {
        if cut > from && best.is_none_or(|(s, e)| cut - 1 - from > e - s) {
            best = Some((from, cut - 1));
        }
        from = cut + 1;
    }
    let address = |a: u64| Ipv4Addr::from(u32::try_from(a).unwrap_or(u32::MAX));
    best.map(|(s, e)| (address(s), address(e)))
}

#[cfg(test)]
#[path = "external_tests.rs"]
mod tests;
