//! An address's attributes, as the topology wants them and a dump shows them.

use serde::{Deserialize, Serialize};

use crate::address::id::AddressId;

/// One address on one interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressAttrs {
    pub interface: String,
    pub address: String,
}

impl From<&AddressId> for AddressAttrs {
    fn from(id: &AddressId) -> AddressAttrs {
        AddressAttrs {
            interface: id.iface.clone(),
            address: id.cidr.to_string(),
        }
    }
}
