//! A masquerade rule someone else made: its id, where it is, what it does,
//! and whether it is exactly the old installer's.

use aio_engine::{Kind, ResourceId};

use super::save::{Installers, installers_text};
use crate::{IdError, NatAttrs, STATEMENT};

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
            statement: STATEMENT.to_string(),
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

/// A foreign rule's id: where it is, as `nft-rule/FAMILY/TABLE/CHAIN/HANDLE`
/// or `iptables-legacy/TABLE/CHAIN/N` (the Nth rule of a legacy chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForeignId {
    Nft {
        family: String,
        table: String,
        chain: String,
        handle: u32,
    },
    Legacy {
        table: String,
        chain: String,
        n: usize,
    },
}

impl ForeignId {
    /// Where the rule is, to delete it.
    pub fn place(&self) -> Place {
        match self {
            ForeignId::Nft {
                family,
                table,
                chain,
                handle,
            } => Place::Nft {
                family: family.clone(),
                table: table.clone(),
                chain: chain.clone(),
                handle: *handle,
            },
            ForeignId::Legacy { chain, .. } => Place::Legacy {
                chain: chain.clone(),
            },
        }
    }
}

impl From<&ForeignId> for ResourceId {
    fn from(id: &ForeignId) -> ResourceId {
        match id {
            ForeignId::Nft {
                family,
                table,
                chain,
                handle,
            } => ResourceId::new(&NFT_RULE, format!("{family}/{table}/{chain}/{handle}")),
            ForeignId::Legacy { table, chain, n } => {
                ResourceId::new(&LEGACY_RULE, format!("{table}/{chain}/{n}"))
            }
        }
    }
}

impl From<ForeignId> for ResourceId {
    fn from(id: ForeignId) -> ResourceId {
        ResourceId::from(&id)
    }
}

impl TryFrom<&ResourceId> for ForeignId {
    type Error = IdError;

    fn try_from(id: &ResourceId) -> Result<ForeignId, IdError> {
        let (form, parts) = if id.is(&NFT_RULE) {
            ("`nft-rule/FAMILY/TABLE/CHAIN/HANDLE`", 4)
        } else if id.is(&LEGACY_RULE) {
            ("`iptables-legacy/TABLE/CHAIN/N`", 3)
        } else {
            return Err(IdError::OtherKind {
                id: id.clone(),
                expected: NFT_RULE,
            });
        };
        let malformed = || IdError::malformed(id, form);
        let mut split = id.name().splitn(parts, '/');
        let mut next = || split.next().map(str::to_string).ok_or_else(malformed);
        if parts == 4 {
            Ok(ForeignId::Nft {
                family: next()?,
                table: next()?,
                chain: next()?,
                handle: next()?.parse().map_err(|_| malformed())?,
            })
        } else {
            Ok(ForeignId::Legacy {
                table: next()?,
                chain: next()?,
                n: next()?.parse().map_err(|_| malformed())?,
            })
        }
    }
}

impl Place {
    /// The place a foreign rule's id names.
    pub fn of(id: &ResourceId) -> Option<Place> {
        ForeignId::try_from(id).ok().map(|f| f.place())
    }
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

    #[test]
    fn a_foreign_id_goes_to_the_engine_and_back() {
        let nft = ForeignId::Nft {
            family: "inet".into(),
            table: "fw".into(),
            chain: "post".into(),
            handle: 12,
        };
        let legacy = ForeignId::Legacy {
            table: "nat".into(),
            chain: "POSTROUTING".into(),
            n: 3,
        };
        for (id, text) in [
            (nft, "nft-rule/inet/fw/post/12"),
            (legacy, "iptables-legacy/nat/POSTROUTING/3"),
        ] {
            let engine = ResourceId::from(&id);
            assert_eq!(engine.to_string(), text);
            assert_eq!(ForeignId::try_from(&engine), Ok(id));
        }
    }

    #[test]
    fn a_malformed_foreign_id_or_another_kind_is_refused() {
        for (kind, name) in [
            (&NFT_RULE, "ip/nat/POSTROUTING"),
            (&NFT_RULE, "ip/nat/POSTROUTING/x"),
            (&LEGACY_RULE, "nat/POSTROUTING"),
            (&LEGACY_RULE, "nat/POSTROUTING/-1"),
        ] {
            let id = ResourceId::new(kind, name);
            assert!(
                matches!(ForeignId::try_from(&id), Err(IdError::Malformed { .. })),
                "{id}"
            );
            assert_eq!(Place::of(&id), None, "{id}");
        }
        let ours = ResourceId::new(&crate::NAT, "eth0/10.0.2.0/24");
        assert!(matches!(
            ForeignId::try_from(&ours),
            Err(IdError::OtherKind { .. })
        ));
    }
}
