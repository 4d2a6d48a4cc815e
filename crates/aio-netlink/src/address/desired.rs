//! The addresses the topology declares on an interface, as engine resources.

use aio_engine::{Resource, ResourceId, TypedAttrs};
use aio_topology::Interface;

use crate::address::attrs::AddressAttrs;
use crate::address::id::AddressId;
use crate::link::id::LinkId;
use crate::name::PROVIDER;

/// Each address of `iface`, after its link.
pub fn resources(iface: &Interface) -> impl Iterator<Item = Resource> + '_ {
    iface.addresses.iter().map(|a| {
        let id = AddressId {
            iface: iface.name.clone(),
            cidr: a.value,
        };
        Resource::new(ResourceId::from(&id), PROVIDER)
            .with_attrs(AddressAttrs::from(&id).to_attrs())
            .after(LinkId::new(iface.name.as_str()).into())
    })
}
