//! Where someone else's object that aio only checks disagrees with the
//! topology: not a change aio would make, a contradiction for a person to
//! resolve (Octavia's network on VLAN 1717 while the OVS port is tagged
//! 1718). A plan with conflicts is not converged.

use serde::{Deserialize, Serialize};

use crate::attr_value::AttrValue;
use crate::attrs::Attrs;
use crate::resource::{ProviderName, ResourceId};

/// One checked resource that disagrees with the topology.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    pub id: ResourceId,
    pub provider: ProviderName,
    /// Each attribute that differs, in the resource's order.
    pub differences: Vec<Disagreement>,
}

/// One attribute: what was found and what the topology implies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disagreement {
    pub key: String,
    pub found: AttrValue,
    pub wanted: AttrValue,
}

impl Conflict {
    /// The conflict between `wanted` and what was `observed` of resource
    /// `id`, if any attribute of `wanted` differs (a missing one is `null`).
    pub fn between(
        id: &ResourceId,
        provider: &ProviderName,
        wanted: &Attrs,
        observed: &Attrs,
    ) -> Option<Conflict> {
        let differences: Vec<Disagreement> = wanted
            .iter()
            .filter_map(|(key, want)| {
                let found = &observed[key];
                (found != want).then(|| Disagreement {
                    key: key.to_string(),
                    found: found.clone(),
                    wanted: want.clone(),
                })
            })
            .collect();
        (!differences.is_empty()).then(|| Conflict {
            id: id.clone(),
            provider: provider.clone(),
            differences,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::Kind;
    use serde_json::{Value, json};

    fn attrs(v: Value) -> Attrs {
        Attrs::from_value(v).unwrap()
    }

    #[test]
    fn only_what_differs_is_a_disagreement() {
        let id = ResourceId::new(&Kind::new("checked-network"), "lb-mgmt-net");
        let wanted =
            attrs(json!({"segmentation_id": 1718, "physical_network": "physnet1", "mtu": 9000}));
        let found = attrs(json!({"segmentation_id": 1717, "physical_network": "physnet1"}));
        let c = Conflict::between(&id, &"neutron".into(), &wanted, &found).unwrap();
        let keys: Vec<(&str, Value, Value)> = c
            .differences
            .iter()
            .map(|d| (d.key.as_str(), d.found.to_json(), d.wanted.to_json()))
            .collect();
        assert_eq!(
            keys,
            [
                ("segmentation_id", json!(1717), json!(1718)),
                ("mtu", Value::Null, json!(9000))
            ]
        );
        assert_eq!(
            Conflict::between(&id, &"neutron".into(), &wanted, &wanted),
            None
        );
    }
}
