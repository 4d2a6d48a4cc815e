//! Masquerade rules that are not aio's. The old installer wrote one per
//! boot: `iptables -t nat -A POSTROUTING -s SOURCE -o OUT -j MASQUERADE`.
//! With iptables-nft it is an nftables rule in `ip nat` (read from `nft -j
//! list ruleset`, `nft.rs`); with iptables-legacy, a line of
//! `iptables-legacy-save -t nat` (`legacy.rs`). Every rule is read whole,
//! with all its matches and target options.
//!
//! A rule is the installer's only when it is exactly that: in iptables'
//! own table and base chain, the declared source and output interface,
//! nothing negated, no other match, no target option. `aio adopt` replaces
//! the installer's rules with aio's own. Any other masquerade rule that
//! names a `[[nat]]` entry's source or interface is shown, never touched.
//!
//! - `nft-rule/FAMILY/TABLE/CHAIN/HANDLE`: an nftables rule;
//! - `iptables-legacy/nat/CHAIN/N`: the Nth rule of a legacy chain.

pub(crate) mod legacy;
mod nft;
mod save;

use aio_engine::{Kind, ResourceId};

use crate::NatAttrs;
pub(crate) use save::{Installers, installers_text};

pub const NFT_RULE: Kind = Kind::new("nft-rule");
pub const LEGACY_RULE: Kind = Kind::new("iptables-legacy");

/// Where a foreign rule is, to delete it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Nft {
        family: String,
        table: String,
        chain: String,
        handle: u32,
    },
    /// A legacy rule is deleted by its specification (`-D POSTROUTING -s .. -o .. -j MASQUERADE`).
    Legacy { chain: String },
}

/// Whether a rule is the old installer's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Form {
    /// Exactly `-A POSTROUTING -s SOURCE -o OUT -j MASQUERADE`.
    Installers(Installers),
    /// Anything else, and what makes it so, in words.
    Other(String),
}

/// A masquerade rule someone else made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignRule {
    pub id: ResourceId,
    pub place: Place,
    /// The source network it names, negated or not.
    pub source: Option<String>,
    /// The output interface it names, negated or not.
    pub out: Option<String>,
    pub(crate) form: Form,
}

impl ForeignRule {
    /// What it does in the terms of aio's own rules, as far as it names a
    /// source and an output interface.
    pub fn does(&self) -> NatAttrs {
        NatAttrs {
            source: self.source.clone(),
            out: self.out.clone(),
            statement: crate::STATEMENT.to_string(),
            rules: 1,
        }
    }

    /// Whether it is exactly the installer's rule for `source` out of `out`.
    pub fn is_installers(&self, source: &str, out: &str) -> bool {
        matches!(&self.form, Form::Installers(i) if i.source == source && i.out == out)
    }

    /// Whether it names `source` and `out` or matches on no source or no
    /// interface at all: it looks like the `[[nat]]` entry's work.
    pub fn looks_like(&self, source: &str, out: &str) -> bool {
        self.source.as_deref().is_none_or(|s| s == source)
            && self.out.as_deref().is_none_or(|o| o == out)
    }

    /// Why it is not the installer's rule for `source` out of `out`.
    pub fn why_not(&self, source: &str, out: &str) -> String {
        let installers = installers_text(source, out);
        match &self.form {
            Form::Other(what) => format!("{what}, not exactly the old installer's `{installers}`"),
            Form::Installers(_) => format!("it is not the old installer's `{installers}`"),
        }
    }
}

impl Place {
    /// The place a foreign rule's id names.
    pub fn of(id: &ResourceId) -> Option<Place> {
        let mut parts = id.name().splitn(4, '/');
        let mut next = || parts.next().map(str::to_string);
        if id.is(&NFT_RULE) {
            let (family, table, chain) = (next()?, next()?, next()?);
            let handle = next()?.parse().ok()?;
            Some(Place::Nft {
                family,
                table,
                chain,
                handle,
            })
        } else if id.is(&LEGACY_RULE) {
            let _table = next()?;
            Some(Place::Legacy { chain: next()? })
        } else {
            None
        }
    }
}

/// Every masquerade rule outside aio's table, in nftables and, where
/// iptables-legacy is installed, in its `nat` table. Call in the namespace.
pub fn list() -> Result<Vec<ForeignRule>, String> {
    let mut out = nft::rules()?;
    out.extend(legacy::rules());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_nft_rule_id_names_its_place() {
        let id = ResourceId::new(&NFT_RULE, "ip/nat/POSTROUTING/4");
        assert_eq!(
            Place::of(&id),
            Some(Place::Nft {
                family: "ip".into(),
                table: "nat".into(),
                chain: "POSTROUTING".into(),
                handle: 4
            })
        );
    }
}
