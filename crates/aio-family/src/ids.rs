//! Ids one family's resources depend on and another family makes: the one
//! place each of them is written and read (the netlink family's typed
//! `LinkId` and `AddressId` convert through these).

use aio_engine::{Kind, ResourceId};

/// A network interface: `link/NAME`.
pub const LINK: Kind = Kind::new("link");
/// An address on an interface: `address/NAME/CIDR`.
pub const ADDRESS: Kind = Kind::new("address");
/// The Kolla deployment: `kolla/deployment`.
pub const KOLLA: Kind = Kind::new("kolla");

pub fn link(name: &str) -> ResourceId {
    ResourceId::new(&LINK, name)
}

pub fn address(interface: &str, cidr: &str) -> ResourceId {
    ResourceId::new(&ADDRESS, format!("{interface}/{cidr}"))
}

/// The deployment every `provided_by = "kolla"` bridge's ports wait for.
pub fn kolla_deployment() -> ResourceId {
    ResourceId::new(&KOLLA, "deployment")
}

/// The interface and the CIDR an [`address`] id was built from; `None` for
/// another kind, or a name without both.
pub fn address_parts(id: &ResourceId) -> Option<(&str, &str)> {
    let (interface, cidr) = id.name().split_once('/')?;
    let whole = id.is(&ADDRESS) && !interface.is_empty() && !cidr.is_empty();
    whole.then_some((interface, cidr))
}
