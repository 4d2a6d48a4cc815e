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
    /// so a plan shows `master: none -> br-ex`. Built field by field, not
    /// serialized whole and filled in after: a plan observes every link.
    pub fn live(&self) -> Attrs {
        let mut attrs = Attrs::with_capacity(5);
        attrs.insert("kind", self.kind.as_deref());
        attrs.insert("peer", self.peer.as_deref());
        attrs.insert("master", self.master.as_deref());
        if let Some(state) = self.state {
            attrs.insert("state", state.name());
        }
        attrs.insert("mtu", self.mtu);
        attrs
    }
}

impl LinkState {
    /// As serde writes it, so that the wanted and live sides compare equal.
    pub fn name(self) -> &'static str {
        match self {
            LinkState::Up => "up",
            LinkState::Down => "down",
        }
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
            serde_json::Value::from(map.clone()),
            serde_json::json!({"kind": "veth", "peer": "veth-ovs", "state": "up", "mtu": 9000})
        );
        assert_eq!(LinkAttrs::from_attrs(&map).unwrap(), a);
        assert_eq!(a.live()["master"], serde_json::Value::Null);
        for state in [LinkState::Up, LinkState::Down] {
            let a = LinkAttrs {
                state: Some(state),
                ..a.clone()
            };
            assert_eq!(a.live()["state"], a.to_attrs()["state"]);
        }
    }

    #[test]
    fn an_update_sets_only_what_differs() {
        let mtu = serde_json::json!({"mtu": 9000});
        let detach = serde_json::json!({"master": null});
        let get =
            |v: serde_json::Value| LinkSettings::changed(&Attrs::from_value(v).unwrap()).unwrap();
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
