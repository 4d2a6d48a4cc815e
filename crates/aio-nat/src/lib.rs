//! The NAT provider: `[[nat]]` entries as masquerade rules in nftables.
//!
//! aio keeps its rules in a table of its own, `ip aio`, with one `postrouting`
//! nat chain. Each rule carries a comment naming its resource
//! (`aio:nat/OUT/SOURCE`); observation finds rules by those comments and
//! compares what they do (source, output interface, statement, how many
//! carry the id), so a rule replaced in place or copied is drift. Nothing
//! outside the table is ever read or changed, and the table is deleted only
//! when nothing of anyone's is left in it. All changes of one apply go to
//! `nft` as one batch, which the kernel takes whole or not at all.

mod provider;
mod ruleset;

pub use provider::NatProvider;

use aio_engine::{Attrs, Resource, ResourceId};
use aio_topology::{Facts, MissingFact, Topology};
use serde_json::json;

pub const PROVIDER: &str = "nat";
/// What every `[[nat]]` rule does.
const STATEMENT: &str = "masquerade";

/// The resources for `[[nat]]`, with `${uplink}` filled from `facts`.
pub fn resources(topology: &Topology, facts: &Facts) -> Result<Vec<Resource>, MissingFact> {
    let mut out = Vec::new();
    for nat in &topology.nat {
        let iface = nat.out.value.resolve(facts)?;
        let mut attrs = Attrs::new();
        attrs.insert("source".into(), json!(nat.source.to_string()));
        attrs.insert("out".into(), json!(iface));
        attrs.insert("statement".into(), json!(STATEMENT));
        // Exactly one rule: a copy of aio's rule in its table is drift.
        attrs.insert("rules".into(), json!(1));
        out.push(Resource {
            id: ResourceId::new("nat", &format!("{iface}/{}", nat.source)),
            provider: PROVIDER.into(),
            attrs,
            deps: vec![],
            replace_on: vec![],
        });
    }
    Ok(out)
}
