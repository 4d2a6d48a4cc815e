//! The ids and attributes of this family's resources, built and read here only.

use serde::{Deserialize, Serialize};

use aio_engine::{Kind, ResourceId};

pub const OVS_BRIDGE: Kind = Kind::new("ovs-bridge");
pub const OVS_PORT: Kind = Kind::new("ovs-port");

/// `ovs-bridge/NAME`.
pub fn bridge_id(bridge: &str) -> ResourceId {
    ResourceId::new(&OVS_BRIDGE, bridge)
}

/// `ovs-port/BRIDGE/NAME`.
pub fn port_id(bridge: &str, port: &str) -> ResourceId {
    ResourceId::new(&OVS_PORT, format!("{bridge}/{port}"))
}

/// One of this family's ids, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OvsId<'a> {
    Bridge(&'a str),
    Port { bridge: &'a str, name: &'a str },
}

impl<'a> OvsId<'a> {
    /// `None` for an id of another family.
    pub fn of(id: &'a ResourceId) -> Option<OvsId<'a>> {
        if id.is(&OVS_BRIDGE) {
            Some(OvsId::Bridge(id.name()))
        } else if id.is(&OVS_PORT) {
            let (bridge, name) = id.name().split_once('/')?;
            Some(OvsId::Port { bridge, name })
        } else {
            None
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

    #[test]
    fn ids_read_back_as_built() {
        assert_eq!(
            OvsId::of(&port_id("br-ex", "v-lbaas")),
            Some(OvsId::Port {
                bridge: "br-ex",
                name: "v-lbaas"
            })
        );
        assert_eq!(OvsId::of(&bridge_id("br0")), Some(OvsId::Bridge("br0")));
        assert_eq!(OvsId::of(&aio_family::ids::link("br0")), None);
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
            serde_json::Value::Object(map.clone()),
            serde_json::json!({"bridge": "br-ex", "tag": 1718, "trunks": [], "type": "internal"})
        );
        assert_eq!(PortAttrs::from_attrs(&map).unwrap(), p);
    }
}
