//! A link's attributes: what the topology wants and what a dump shows
//! ([`LinkAttrs`]), and what a request sets ([`LinkSettings`]). A change of
//! `kind` or `peer` means delete and create.

use serde::{Deserialize, Serialize};

use aio_engine::{Attrs, TypedAttrs};

/// `up` or `down`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkState {
    Up,
    Down,
}

impl LinkState {
    /// As written in topologies and plans.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkState::Up => "up",
            LinkState::Down => "down",
        }
    }
}

/// A link's managed attributes. `kind` is absent for an interface aio does
/// not create (an existing NIC); `master`, `peer` and `mtu` when not set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkAttrs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<LinkState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
}

impl LinkAttrs {
    /// The attributes that cannot change in place.
    pub const REPLACE_ON: [&'static str; 2] = ["kind", "peer"];

    /// As observed: every attribute present, `null` when the link has none,
    /// so a plan shows `master: none -> br-ex`.
    pub fn live(&self) -> Attrs {
        use serde_json::Value;
        let text = |v: &Option<String>| v.clone().map(Value::String);
        let fields = [
            ("kind", text(&self.kind)),
            ("peer", text(&self.peer)),
            ("master", text(&self.master)),
            ("state", self.state.map(|s| Value::from(s.as_str()))),
            ("mtu", self.mtu.map(Value::from)),
        ];
        // Built by hand, not through serde: a dump of thousands of links
        // makes one per link. Present attributes first, in declaration
        // order, then the absent ones as `null` (as `to_attrs` and
        // `entry().or_insert` would give them).
        let mut attrs = Attrs::with_capacity(fields.len());
        for (key, value) in &fields {
            if let Some(v) = value {
                attrs.insert((*key).to_string(), v.clone());
            }
        }
        for (key, value) in fields {
            if value.is_none() && key != "state" {
                attrs.insert(key.to_string(), Value::Null);
            }
        }
        attrs
    }
}

/// What a link update sets, from the attributes that differ.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkSettings {
    /// `Some(None)`: detach from its master.
    pub master: Option<Option<String>>,
    pub state: Option<LinkState>,
    pub mtu: Option<u32>,
}

impl LinkSettings {
    /// Everything `attrs` sets (a link being created).
    pub fn all(attrs: &LinkAttrs) -> Self {
        LinkSettings {
            master: attrs.master.clone().map(Some),
            state: attrs.state,
            mtu: attrs.mtu,
        }
    }

    /// What an update sets: `changed` holds the attributes that differ,
    /// with their wanted values (`master: null` detaches).
    pub fn changed(changed: &Attrs) -> Result<Self, serde_json::Error> {
        let wanted = LinkAttrs::from_attrs(changed)?;
        Ok(LinkSettings {
            master: changed.contains_key("master").then_some(wanted.master),
            state: wanted.state,
            mtu: wanted.mtu,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_go_to_the_engine_and_back() {
        let a = LinkAttrs {
            kind: Some("veth".into()),
            peer: Some("veth-ovs".into()),
            state: Some(LinkState::Up),
            mtu: Some(9000),
            ..LinkAttrs::default()
        };
        let map = a.to_attrs();
        assert_eq!(
            serde_json::Value::Object(map.clone()),
            serde_json::json!({"kind": "veth", "peer": "veth-ovs", "state": "up", "mtu": 9000})
        );
        assert_eq!(LinkAttrs::from_attrs(&map).unwrap(), a);
        assert_eq!(a.live()["master"], serde_json::Value::Null);
    }

    #[test]
    fn live_attributes_are_what_serde_gives_with_the_absent_as_null_after() {
        let nic = LinkAttrs {
            state: Some(LinkState::Down),
            mtu: Some(1500),
            ..LinkAttrs::default()
        };
        let veth = LinkAttrs {
            kind: Some("veth".into()),
            peer: Some("p0".into()),
            master: Some("b0".into()),
            state: Some(LinkState::Up),
            mtu: None,
        };
        for a in [nic, veth, LinkAttrs::default()] {
            let mut expected = a.to_attrs();
            for key in ["kind", "peer", "master", "mtu"] {
                expected.entry(key).or_insert(serde_json::Value::Null);
            }
            let live = a.live();
            assert_eq!(live, expected);
            let order = |m: &Attrs| m.keys().cloned().collect::<Vec<_>>();
            assert_eq!(order(&live), order(&expected));
        }
    }

    #[test]
    fn an_update_sets_only_what_differs() {
        let mtu = serde_json::json!({"mtu": 9000});
        let detach = serde_json::json!({"master": null});
        let get = |v: serde_json::Value| LinkSettings::changed(v.as_object().unwrap()).unwrap();
        assert_eq!(
            get(mtu),
            LinkSettings {
                mtu: Some(9000),
                ..LinkSettings::default()
            }
        );
        assert_eq!(get(detach).master, Some(None));
        assert_eq!(get(serde_json::json!({"state": "up"})).master, None);
    }
}
