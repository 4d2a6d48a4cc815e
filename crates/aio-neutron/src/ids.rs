//! Neutron's ids, one type per kind of object, so a subnet's id cannot be
//! passed where a network's is wanted.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> $name {
                $name(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id!(
    /// A network's id (a UUID Neutron chose).
    NetworkId
);
id!(
    /// A subnet's id.
    SubnetId
);
id!(
    /// A port's id.
    PortId
);
id!(
    /// A floating IP's id.
    FloatingIpId
);
