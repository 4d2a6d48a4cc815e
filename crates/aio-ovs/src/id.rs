//! The ids and attributes of this family's resources, built and read here
//! only: [`PortId`] is the one conversion of a port's id to and from the
//! engine's [`ResourceId`].

use serde::{Deserialize, Serialize};

use aio_engine::{Kind, ResourceId};
use aio_family::ids;
pub use aio_family::ids::IdError;

pub const OVS_BRIDGE: Kind = Kind::new("ovs-bridge");
pub const OVS_PORT: Kind = Kind::new("ovs-port");

/// `ovs-bridge/NAME`.
pub fn bridge_id(bridge: &str) -> ResourceId {
    ResourceId::new(&OVS_BRIDGE, bridge)
}

/// `ovs-port/BRIDGE/PORT`: port `port` (with its one interface of the
/// same name) on bridge `bridge`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortId {
    pub bridge: String,
    pub port: String,
}

impl From<&PortId> for ResourceId {
    fn from(id: &PortId) -> ResourceId {
        ResourceId::new(&OVS_PORT, format!("{}/{}", id.bridge, id.port))
    }
}

impl From<PortId> for ResourceId {
    fn from(id: PortId) -> ResourceId {
        ResourceId::from(&id)
    }
}

impl TryFrom<&ResourceId> for PortId {
    type Error = IdError;

    fn try_from(id: &ResourceId) -> Result<PortId, IdError> {
        let name = ids::name_of(id, &OVS_PORT)?;
        // An interface name holds no `/`: the bridge's ends at the first one.
        match name.split_once('/') {
            Some((bridge, port))
                if !bridge.is_empty() && !port.is_empty() && !port.contains('/') =>
            {
                Ok(PortId {
                    bridge: bridge.to_string(),
                    port: port.to_string(),
                })
            }
            _ => Err(IdError::malformed(id, "`ovs-port/BRIDGE/PORT`")),
        }
    }
}

/// One of this family's ids, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OvsId {
    Bridge(String),
    Port(PortId),
}

impl OvsId {
    /// `None` for an id of another family, or a port's id not well formed.
    pub fn of(id: &ResourceId) -> Option<OvsId> {
        if id.is(&OVS_BRIDGE) {
            Some(OvsId::Bridge(id.name().to_string()))
        } else {
            PortId::try_from(id).ok().map(OvsId::Port)
        }
    }
}

/// A bridge aio creates: the columns the file sets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BridgeAttrs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datapath_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_mode: Option<String>,
}

/// `system` (an existing device) or `internal` (made by OVS).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PortType {
    #[default]
    System,
    Internal,
}

impl PortType {
    /// The interface's `type` column: a system interface has the empty string.
    pub fn column(self) -> &'static str {
        match self {
            PortType::System => "",
            PortType::Internal => "internal",
        }
    }
}

/// A port with one interface of the same name. `tag` is `null` when untagged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortAttrs {
    pub bridge: String,
    pub tag: Option<u16>,
    /// Sorted, without repeats, as OVSDB keeps sets.
    #[serde(default)]
    pub trunks: Vec<u16>,
    #[serde(rename = "type", default)]
    pub kind: PortType,
}

#[cfg(test)]
mod tests {
    use super::*;
    use aio_engine::TypedAttrs;

    fn port(bridge: &str, port: &str) -> PortId {
        PortId {
            bridge: bridge.into(),
            port: port.into(),
        }
    }

    #[test]
    fn ids_read_back_as_built() {
        assert_eq!(
            OvsId::of(&port("br-ex", "v-lbaas").into()),
            Some(OvsId::Port(port("br-ex", "v-lbaas")))
        );
        assert_eq!(
            OvsId::of(&bridge_id("br0")),
            Some(OvsId::Bridge("br0".into()))
        );
        assert_eq!(OvsId::of(&aio_family::ids::link("br0")), None);
    }

    #[test]
    fn a_port_id_goes_to_the_engine_and_back() {
        for (bridge, name) in [("br-ex", "v-lbaas"), ("br-int", "patch-ex")] {
            let id = port(bridge, name);
            let engine = ResourceId::from(&id);
            assert_eq!(engine.to_string(), format!("ovs-port/{bridge}/{name}"));
            assert_eq!(PortId::try_from(&engine), Ok(id));
        }
    }

    #[test]
    fn a_malformed_port_id_or_another_kind_is_refused() {
        for name in ["br-ex", "br-ex/", "/v-lbaas", "br-ex/v/lbaas"] {
            let id = ResourceId::new(&OVS_PORT, name);
            assert!(
                matches!(PortId::try_from(&id), Err(IdError::Malformed { .. })),
                "{name}"
            );
            assert_eq!(OvsId::of(&id), None, "{name}");
        }
        assert!(matches!(
            PortId::try_from(&bridge_id("br-ex")),
            Err(IdError::OtherKind { expected, .. }) if expected == OVS_PORT
        ));
    }

    #[test]
    fn a_port_goes_to_the_engine_and_back() {
        let p = PortAttrs {
            bridge: "br-ex".into(),
            tag: Some(1718),
            trunks: vec![],
            kind: PortType::Internal,
        };
        let map = p.to_attrs();
        assert_eq!(
            serde_json::Value::from(map.clone()),
            serde_json::json!({"bridge": "br-ex", "tag": 1718, "trunks": [], "type": "internal"})
        );
        assert_eq!(PortAttrs::from_attrs(&map).unwrap(), p);
    }
}
