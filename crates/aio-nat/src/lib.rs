//! The NAT provider: `[[nat]]` entries as masquerade rules in nftables.
//!
//! aio keeps its rules in a table of its own, `ip aio`, with one `postrouting`
//! nat chain. Each rule carries a comment naming its resource
//! (`aio:nat/OUT/SOURCE`); observation finds rules by those comments and
//! compares what they do (source, output interface, statement, how many
//! carry the id), so a rule replaced in place or copied is drift. Nothing
//! outside the table is changed, except by `aio adopt`, which replaces the
//! old installer's exact iptables rule with aio's own ([`foreign`]), and
//! the table is deleted only when nothing of anyone's is left in it. All
//! nftables changes of one apply go to `nft` as one batch, which the kernel
//! takes whole or not at all. `aio watch` hears of changes to the table
//! from nftables itself ([`events`]).

mod apply;
mod error;
pub mod events;
mod family;
pub mod foreign;
mod id;
mod provider;
mod ruleset;

pub use aio_family::ids::IdError;
pub use error::{NatError, NftTask, Tool};
pub use family::Nat;
pub use id::{NAT, NatId};
pub use provider::NatProvider;

use aio_engine::{ProviderName, Resource, TypedAttrs};
use aio_topology::{Facts, MissingFact, Topology};
use serde::{Deserialize, Serialize};

pub const PROVIDER: ProviderName = ProviderName::new("nat");
/// What every `[[nat]]` rule does.
const STATEMENT: &str = "masquerade";

/// What a rule does, and how many rules carry its id (a copy is drift).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NatAttrs {
    /// `None` when the rule matches no source (a widened rule).
    pub source: Option<String>,
    /// `None` when the rule matches no output interface.
    pub out: Option<String>,
    pub statement: String,
    pub rules: usize,
}

/// The resources for `[[nat]]`, with `${uplink}` filled from `facts`.
pub fn resources(topology: &Topology, facts: &Facts) -> Result<Vec<Resource>, MissingFact> {
    let mut out = Vec::new();
    for nat in &topology.nat {
        let id = NatId {
            out: nat.out.value.resolve(facts)?.to_string(),
            source: nat.source,
        };
        let attrs = NatAttrs {
            source: Some(id.source.to_string()),
            out: Some(id.out.clone()),
            statement: STATEMENT.to_string(),
            // Exactly one rule: a copy of aio's rule in its table is drift.
            rules: 1,
        };
        out.push(Resource::new(id.into(), PROVIDER).with_attrs(attrs.to_attrs()));
    }
    Ok(out)
}
