//! This family's ids: a link's ([`LinkId`]) or an address's ([`AddressId`]).

use aio_engine::ResourceId;

use crate::address::id::AddressId;
use crate::link::id::LinkId;

/// One of this family's ids, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetId {
    Link(LinkId),
    Address(AddressId),
}

impl NetId {
    /// `None` for an id of another family, or one not well formed.
    pub fn of(id: &ResourceId) -> Option<NetId> {
        if let Ok(link) = LinkId::try_from(id) {
            return Some(NetId::Link(link));
        }
        AddressId::try_from(id).ok().map(NetId::Address)
    }

    /// The interface the resource is about.
    pub fn interface(&self) -> &str {
        match self {
            NetId::Link(link) => link.name(),
            NetId::Address(address) => &address.iface,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aio_family::ids;

    #[test]
    fn ids_read_back_as_built() {
        let id = ids::address("dummy1", "10.0.2.2/24");
        assert_eq!(id.to_string(), "address/dummy1/10.0.2.2/24");
        let read = NetId::of(&id).unwrap();
        assert_eq!(
            read,
            NetId::Address(AddressId {
                iface: "dummy1".into(),
                cidr: "10.0.2.2/24".parse().unwrap()
            })
        );
        assert_eq!(read.interface(), "dummy1");
        assert_eq!(
            NetId::of(&ids::link("br0")),
            Some(NetId::Link(LinkId::new("br0")))
        );
        let nat = ResourceId::new(&aio_engine::Kind::new("nat"), "x/y");
        assert_eq!(NetId::of(&nat), None);
    }
}
