//! [`NatId`]: one masquerade, `nat/OUT/SOURCE`, and its one conversion to
//! and from the engine's [`ResourceId`].

use ipnet::Ipv4Net;

use aio_engine::{Kind, ResourceId};
use aio_family::ids::{self, IdError};

pub const NAT: Kind = Kind::new("nat");
/// How a [`NatId`] is written.
const FORM: &str = "`nat/OUT/SOURCE`";

/// Traffic from `source` leaving by interface `out`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NatId {
    pub out: String,
    pub source: Ipv4Net,
}

impl From<&NatId> for ResourceId {
    fn from(id: &NatId) -> ResourceId {
        ResourceId::new(&NAT, format!("{}/{}", id.out, id.source))
    }
}

impl From<NatId> for ResourceId {
    fn from(id: NatId) -> ResourceId {
        ResourceId::from(&id)
    }
}

impl TryFrom<&ResourceId> for NatId {
    type Error = IdError;

    fn try_from(id: &ResourceId) -> Result<NatId, IdError> {
        let name = ids::name_of(id, &NAT)?;
        let malformed = || IdError::malformed(id, FORM);
        // An interface name holds no `/`: the first one ends it.
        let (out, source) = name.split_once('/').ok_or_else(malformed)?;
        if out.is_empty() {
            return Err(malformed());
        }
        Ok(NatId {
            out: out.to_string(),
            source: source.parse().map_err(|_| malformed())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nat_id_goes_to_the_engine_and_back() {
        for (out, source) in [("eth0", "10.0.2.0/24"), ("${uplink}", "192.168.1.7/32")] {
            let id = NatId {
                out: out.into(),
                source: source.parse().unwrap(),
            };
            let engine = ResourceId::from(&id);
            assert_eq!(engine.to_string(), format!("nat/{out}/{source}"));
            assert_eq!(NatId::try_from(&engine), Ok(id));
        }
    }

    #[test]
    fn a_malformed_name_or_another_kind_is_refused() {
        for name in [
            "eth0",
            "eth0/",
            "/10.0.2.0/24",
            "eth0/10.0.2.0",
            "eth0/10.0.2.300/24",
            "eth0/fd00::/64",
        ] {
            let id = ResourceId::new(&NAT, name);
            assert!(
                matches!(NatId::try_from(&id), Err(IdError::Malformed { .. })),
                "{name}"
            );
        }
        let other = ResourceId::new(&Kind::new("nft-rule"), "eth0/10.0.2.0/24");
        assert!(matches!(
            NatId::try_from(&other),
            Err(IdError::OtherKind { expected, .. }) if expected == NAT
        ));
    }
}
