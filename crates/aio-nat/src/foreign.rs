//! Masquerade rules that are not aio's but do what a `[[nat]]` entry
//! does: the seed's `iptables -t nat -A POSTROUTING -s SOURCE -o OUT -j
//! MASQUERADE`, one per boot. With iptables-nft they are nftables rules
//! in `ip nat` (read from `nft -j list ruleset`); with iptables-legacy,
//! lines of `iptables-legacy-save -t nat`. `aio adopt` replaces the first
//! with aio's own rule and deletes the others; nothing else reads or
//! changes them.
//!
//! - `nft-rule/FAMILY/TABLE/CHAIN/HANDLE`: an nftables rule;
//! - `iptables-legacy/nat/CHAIN/N`: the Nth masquerade line of a legacy chain.

use nftables::schema::{NfListObject, NfObject, Nftables};
use nftables::types::NfFamily;

use aio_engine::{Attrs, Kind, ResourceId, TypedAttrs};

use crate::NatAttrs;
use crate::ruleset::{TABLE, nft, read_rule};

pub const NFT_RULE: Kind = Kind::new("nft-rule");
pub const LEGACY_RULE: Kind = Kind::new("iptables-legacy");
const LEGACY_SAVE: &str = "iptables-legacy-save";
const LEGACY: &str = "iptables-legacy";

/// Where a foreign rule is, to delete it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Nft {
        family: String,
        table: String,
        chain: String,
        handle: u32,
    },
    /// A legacy rule is deleted by its specification (`-D CHAIN -s .. -o .. -j MASQUERADE`).
    Legacy { chain: String },
}

/// A masquerade rule someone else made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignRule {
    pub id: ResourceId,
    pub place: Place,
    /// What it does, in the terms of aio's own rules (`rules` is 1).
    pub does: NatAttrs,
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
    let mut out = nft_rules()?;
    out.extend(legacy_rules());
    Ok(out)
}

fn nft_rules() -> Result<Vec<ForeignRule>, String> {
    let text = match nft(&["-j", "list", "ruleset"], None)? {
        Ok(text) => text,
        Err(stderr) => {
            return Err(format!(
                "nft failed while listing the ruleset: {}",
                stderr.trim()
            ));
        }
    };
    let ruleset: Nftables = serde_json::from_str(&text)
        .map_err(|e| format!("nft printed a ruleset aio cannot read: {e}"))?;
    let mut out = Vec::new();
    for object in ruleset.objects.iter() {
        let NfObject::ListObject(NfListObject::Rule(rule)) = object else {
            continue;
        };
        let family = family_name(&rule.family);
        if family == "ip" && rule.table == TABLE {
            continue;
        }
        let Some(handle) = rule.handle else { continue };
        let live = read_rule(rule, handle);
        if live.statement != "masquerade" {
            continue;
        }
        let name = format!("{family}/{}/{}/{handle}", rule.table, rule.chain);
        out.push(ForeignRule {
            id: ResourceId::new(&NFT_RULE, name),
            place: Place::Nft {
                family,
                table: rule.table.to_string(),
                chain: rule.chain.to_string(),
                handle,
            },
            does: NatAttrs {
                source: live.source,
                out: live.out,
                statement: live.statement,
                rules: 1,
            },
        });
    }
    Ok(out)
}

fn family_name(family: &NfFamily) -> String {
    serde_json::to_value(family)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Legacy masquerade lines, if iptables-legacy is installed and has any.
fn legacy_rules() -> Vec<ForeignRule> {
    if aio_child::find_program(LEGACY_SAVE).is_none() {
        return Vec::new();
    }
    let mut command = std::process::Command::new(LEGACY_SAVE);
    let Ok(out) = aio_child::output(command.args(["-t", "nat"]), None) else {
        return Vec::new();
    };
    legacy_lines(&String::from_utf8_lossy(&out.stdout))
}

/// `-A CHAIN -s SOURCE -o OUT -j MASQUERADE` lines of `iptables-save` output.
fn legacy_lines(text: &str) -> Vec<ForeignRule> {
    let mut out = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let value = |flag: &str| {
            words
                .windows(2)
                .find(|w| w[0] == flag)
                .map(|w| w[1].to_string())
        };
        let (Some(chain), Some("MASQUERADE")) = (value("-A"), value("-j").as_deref()) else {
            continue;
        };
        let n = out.len();
        out.push(ForeignRule {
            id: ResourceId::new(&LEGACY_RULE, format!("nat/{chain}/{n}")),
            place: Place::Legacy { chain },
            does: NatAttrs {
                source: value("-s"),
                out: value("-o"),
                statement: "masquerade".into(),
                rules: 1,
            },
        });
    }
    out
}

/// Deletes legacy rules that do what `does` says (one per call). Call in the namespace.
pub fn delete_legacy(chain: &str, does: &Attrs) -> Result<(), String> {
    let does = NatAttrs::from_attrs(does).map_err(|e| e.to_string())?;
    let mut args = vec![
        "-t".to_string(),
        "nat".into(),
        "-D".into(),
        chain.to_string(),
    ];
    if let Some(s) = does.source {
        args.extend(["-s".into(), s]);
    }
    if let Some(o) = does.out {
        args.extend(["-o".into(), o]);
    }
    args.extend(["-j".into(), "MASQUERADE".into()]);
    let mut command = std::process::Command::new(LEGACY);
    command.args(&args);
    let out = aio_child::output(&mut command, None).map_err(|e| format!("{LEGACY}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{LEGACY} {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_masquerade_lines_are_read_and_nothing_else() {
        let save = "*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE\n-A POSTROUTING -o eth1 -j SNAT --to-source 1.2.3.4\n-A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE\nCOMMIT\n";
        let rules = legacy_lines(save);
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[1].id.to_string(), "iptables-legacy/nat/POSTROUTING/1");
        assert_eq!(rules[0].does.source.as_deref(), Some("10.0.2.0/24"));
        assert_eq!(rules[0].does.out.as_deref(), Some("eth0"));
        assert_eq!(
            Place::of(&rules[0].id),
            Some(Place::Legacy {
                chain: "POSTROUTING".into()
            })
        );
    }

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
