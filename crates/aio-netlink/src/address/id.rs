//! [`AddressId`]: one address on one interface, `address/NAME/CIDR`, and its
//! one conversion to and from the engine's [`ResourceId`] (the text itself
//! is written and split by [`aio_family::ids`]).

use ipnet::IpNet;

use aio_engine::ResourceId;
use aio_family::ids::{self, ADDRESS, IdError};

/// Address `cidr` on interface `iface`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AddressId {
    pub iface: String,
    pub cidr: IpNet,
}

impl From<&AddressId> for ResourceId {
    fn from(id: &AddressId) -> ResourceId {
        ids::address(&id.iface, &id.cidr.to_string())
    }
}

impl From<AddressId> for ResourceId {
    fn from(id: AddressId) -> ResourceId {
        ResourceId::from(&id)
    }
}

impl TryFrom<&ResourceId> for AddressId {
    type Error = IdError;

    fn try_from(id: &ResourceId) -> Result<AddressId, IdError> {
        ids::name_of(id, &ADDRESS)?;
        let malformed = || IdError::malformed(id, "`address/INTERFACE/CIDR`");
        let (iface, cidr) = ids::address_parts(id).ok_or_else(malformed)?;
        Ok(AddressId {
            iface: iface.to_string(),
            cidr: cidr.parse().map_err(|_| malformed())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(text: &str) -> IpNet {
        text.parse().unwrap()
    }

    #[test]
    fn an_address_id_goes_to_the_engine_and_back() {
        for (iface, cidr) in [("dummy1", "10.0.2.2/24"), ("br-ex", "fd00::1/64")] {
            let id = AddressId {
                iface: iface.into(),
                cidr: net(cidr),
            };
            let engine = ResourceId::from(&id);
            assert_eq!(engine.to_string(), format!("address/{iface}/{cidr}"));
            assert_eq!(engine, ids::address(iface, cidr));
            assert_eq!(AddressId::try_from(&engine), Ok(id));
        }
    }

    #[test]
    fn a_malformed_name_or_another_kind_is_refused() {
        for name in [
            "dummy1",
            "dummy1/",
            "/10.0.2.2/24",
            "dummy1/10.0.2.300/24",
            "dummy1/x",
        ] {
            let id = ResourceId::new(&ADDRESS, name);
            assert!(
                matches!(AddressId::try_from(&id), Err(IdError::Malformed { .. })),
                "{name}"
            );
        }
        let link = ids::link("dummy1");
        assert!(matches!(
            AddressId::try_from(&link),
            Err(IdError::OtherKind { expected, .. }) if expected == ADDRESS
        ));
    }
}
