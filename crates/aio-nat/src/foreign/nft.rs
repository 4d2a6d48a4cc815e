//! Masquerade rules in nftables outside aio's table, read from `nft -j
//! list ruleset`. Only a rule in the table and chain iptables-nft makes
//! (`ip nat`, base chain `POSTROUTING` at the postrouting hook) may be the
//! old installer's, and only when it matches exactly its source and
//! output interface and masquerades without options. nft's JSON does not
//! show an iptables target's options (`--random`), so such a rule is
//! proven by the line `iptables-nft-save` prints for it, matched by its
//! place in the chain.

use std::collections::{HashMap, HashSet};

use nftables::expr::{Expression, MetaKey, NamedExpression, Payload};
use nftables::schema::{Chain, NfListObject, NfObject, Nftables, Rule};
use nftables::stmt::{Counter, Operator, Statement};
use nftables::types::{NfChainType, NfFamily, NfHook};

use aio_engine::ResourceId;

use super::rule::{ForeignId, ForeignRule, Form};
use super::save::{Installers, SaveRule};
use crate::error::{NatError, Tool};
use crate::ruleset::{Listing, TABLE, is_masquerade_target, listed, read_rule};

/// `iptables-nft-save`, as messages name it.
const NFT_SAVE: Tool = Tool::IptablesNftSave;
/// Where iptables-nft keeps `-t nat -A POSTROUTING`.
const IPT_TABLE: &str = "nat";
const IPT_CHAIN: &str = "POSTROUTING";

/// Every masquerade rule outside aio's table. Call in the namespace.
pub(super) fn rules() -> Result<Vec<ForeignRule>, NatError> {
    Ok(read(&listed(Listing::Ruleset)?, iptables_lines))
}

/// The `-A POSTROUTING` lines `iptables-nft-save -t nat` prints, in order,
/// or why there are none to trust.
fn iptables_lines() -> Result<Vec<SaveRule>, NatError> {
    if aio_child::find_program(NFT_SAVE.program()).is_none() {
        return Err(NatError::NftSaveMissing);
    }
    let mut command = std::process::Command::new(NFT_SAVE.program());
    let out = NFT_SAVE.output(command.args(["-t", IPT_TABLE]), None)?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || text.lines().any(|l| l.contains("incompatible")) {
        return Err(NatError::NftSaveUnreadable { table: IPT_TABLE });
    }
    Ok(text
        .lines()
        .filter_map(SaveRule::parse)
        .filter(|r| r.chain == IPT_CHAIN)
        .collect())
}

fn family_name(family: &NfFamily) -> String {
    serde_json::to_value(family)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The masquerade rules of `ruleset`; `saved` gives iptables-nft's lines,
/// asked only when a rule needs them.
pub(super) fn read(
    ruleset: &Nftables,
    saved: impl FnOnce() -> Result<Vec<SaveRule>, NatError>,
) -> Vec<ForeignRule> {
    let objects = || {
        ruleset.objects.iter().filter_map(|o| match o {
            NfObject::ListObject(o) => Some(o),
            _ => None,
        })
    };
    let base: HashSet<(String, String, String)> = objects()
        .filter_map(|o| match o {
            NfListObject::Chain(c) if is_srcnat_base(c) => Some((
                family_name(&c.family),
                c.table.to_string(),
                c.name.to_string(),
            )),
            _ => None,
        })
        .collect();
    let rules: Vec<&Rule> = objects()
        .filter_map(|o| match o {
            NfListObject::Rule(r) => Some(r),
            _ => None,
        })
        .collect();
    // iptables' chain: each rule's place in it, to find its iptables line.
    let in_ipt_chain =
        |r: &Rule| r.family == NfFamily::IP && r.table == IPT_TABLE && r.chain == IPT_CHAIN;
    let places: HashMap<u32, usize> = rules
        .iter()
        .filter(|r| in_ipt_chain(r))
        .filter_map(|r| r.handle)
        .enumerate()
        .map(|(i, h)| (h, i))
        .collect();
    // Asked for once, and only when a rule needs them.
    let mut saved = Some(saved);
    let mut lines: Option<Result<Vec<SaveRule>, NatError>> = None;
    let mut out = Vec::new();
    for rule in rules {
        let family = family_name(&rule.family);
        if family == "ip" && rule.table == TABLE {
            continue;
        }
        let Some(handle) = rule.handle else { continue };
        if !rule.expr.iter().any(masquerades) {
            continue;
        }
        let live = read_rule(rule, handle);
        let in_base = base.contains(&(
            family.clone(),
            rule.table.to_string(),
            rule.chain.to_string(),
        ));
        let form = if !in_ipt_chain(rule) {
            Form::Other(format!(
                "it is in chain {} of table {family} {}, not in iptables' {IPT_CHAIN} of ip {IPT_TABLE}",
                rule.chain, rule.table
            ))
        } else if !in_base {
            Form::Other(format!(
                "its chain {IPT_CHAIN} of ip {IPT_TABLE} is not a base chain at the postrouting hook"
            ))
        } else {
            match exact(rule) {
                None => Form::Other(
                    "it matches or does more than `ip saddr SOURCE oifname OUT masquerade`".into(),
                ),
                Some((installers, false)) => Form::Installers(installers),
                Some((installers, true)) => {
                    let lines = lines.get_or_insert_with(|| match saved.take() {
                        Some(read) => read(),
                        None => Err(NatError::NftSaveNotRead),
                    });
                    by_iptables(
                        &installers,
                        lines,
                        places.get(&handle).copied(),
                        places.len(),
                    )
                }
            }
        };
        let id = ForeignId::Nft {
            family,
            table: rule.table.to_string(),
            chain: rule.chain.to_string(),
            handle,
        };
        out.push(ForeignRule {
            id: ResourceId::from(&id),
            place: id.place(),
            source: live.source,
            out: live.out,
            form,
        });
    }
    out
}

/// An iptables-nft rule whose target nft cannot show whole: the
/// installer's only if iptables-nft-save prints exactly its line.
fn by_iptables(
    installers: &Installers,
    saved: &Result<Vec<SaveRule>, NatError>,
    place: Option<usize>,
    rules: usize,
) -> Form {
    let lines = match saved {
        Ok(lines) => lines,
        Err(why) => {
            return Form::Other(format!("its iptables target cannot be read whole ({why})"));
        }
    };
    if lines.len() != rules {
        return Form::Other(format!(
            "{NFT_SAVE} lists {} rule(s) in {IPT_CHAIN} where nft lists {rules}",
            lines.len()
        ));
    }
    match place.and_then(|i| lines.get(i)) {
        Some(line) if line.installers().as_ref() == Some(installers) => {
            Form::Installers(installers.clone())
        }
        Some(line) => Form::Other(format!("it reads `{}`", line.text)),
        None => Form::Other(format!("{NFT_SAVE} does not list it")),
    }
}

/// A chain of type nat at the postrouting hook.
fn is_srcnat_base(c: &Chain) -> bool {
    c.hook == Some(NfHook::Postrouting) && c._type == Some(NfChainType::NAT)
}

fn masquerades(s: &Statement) -> bool {
    match s {
        Statement::Masquerade(_) => true,
        Statement::XT(Some(xt)) => is_masquerade_target(xt),
        _ => false,
    }
}

/// When `rule` is exactly `ip saddr SOURCE oifname OUT [counter] masquerade`
/// (the matches in either order), with no comment: its source and output
/// interface, and whether its masquerade is an iptables target, whose
/// options nft does not show.
fn exact(rule: &Rule) -> Option<(Installers, bool)> {
    if rule.comment.is_some() {
        return None;
    }
    let (mut source, mut out, mut target, mut counters) = (None, None, None, 0);
    for s in rule.expr.iter() {
        match s {
            Statement::Match(m) if m.op == Operator::EQ => match (&m.left, &m.right) {
                (Expression::Named(NamedExpression::Payload(Payload::PayloadField(f))), right)
                    if f.protocol == "ip" && f.field == "saddr" && source.is_none() =>
                {
                    let Expression::Named(NamedExpression::Prefix(p)) = right else {
                        return None;
                    };
                    let Expression::String(addr) = &*p.addr else {
                        return None;
                    };
                    source = Some(format!("{addr}/{}", p.len));
                }
                (Expression::Named(NamedExpression::Meta(meta)), Expression::String(name))
                    if meta.key == MetaKey::Oifname && out.is_none() =>
                {
                    out = Some(name.to_string());
                }
                _ => return None,
            },
            Statement::Counter(Counter::Anonymous(_)) if counters == 0 => counters += 1,
            Statement::Masquerade(None) if target.is_none() => target = Some(false),
            Statement::XT(Some(xt)) if is_masquerade_target(xt) && target.is_none() => {
                target = Some(true)
            }
            _ => return None,
        }
    }
    // The masquerade comes last.
    if !rule.expr.last().is_some_and(masquerades) {
        return None;
    }
    let source = source.filter(|s| s.parse::<ipnet::Ipv4Net>().is_ok())?;
    Some((Installers { source, out: out? }, target?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `nft -j list ruleset` as nftables 1.0.6 prints it: rules as
    /// iptables-nft 1.8.9 makes them in `ip nat`, one in a non-base
    /// chain, one in an operator's `inet fw`.
    const RULESET: &str = r#"{"nftables": [
      {"table": {"family": "ip", "name": "nat", "handle": 1}},
      {"chain": {"family": "ip", "table": "nat", "name": "POSTROUTING", "handle": 1, "type": "nat", "hook": "postrouting", "prio": 100, "policy": "accept"}},
      {"chain": {"family": "ip", "table": "nat", "name": "mine", "handle": 9}},
      {"rule": {"family": "ip", "table": "nat", "chain": "POSTROUTING", "handle": 2, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "eth0"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "10.0.2.0", "len": 24}}}}, {"counter": {"packets": 0, "bytes": 0}}, {"xt": {"type": "target", "name": "MASQUERADE"}}]}},
      {"rule": {"family": "ip", "table": "nat", "chain": "POSTROUTING", "handle": 3, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "eth0"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "10.0.2.0", "len": 24}}}}, {"counter": {"packets": 0, "bytes": 0}}, {"xt": {"type": "target", "name": "MASQUERADE"}}]}},
      {"rule": {"family": "ip", "table": "nat", "chain": "POSTROUTING", "handle": 4, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "eth0"}}, {"match": {"op": "!=", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "10.0.2.0", "len": 24}}}}, {"counter": {"packets": 0, "bytes": 0}}, {"xt": {"type": "target", "name": "MASQUERADE"}}]}},
      {"rule": {"family": "ip", "table": "nat", "chain": "mine", "handle": 10, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "10.0.2.0", "len": 24}}}}, {"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "eth0"}}, {"masquerade": null}]}},
      {"table": {"family": "inet", "name": "fw", "handle": 5}},
      {"chain": {"family": "inet", "table": "fw", "name": "post", "handle": 1, "type": "nat", "hook": "postrouting", "prio": 100, "policy": "accept"}},
      {"rule": {"family": "inet", "table": "fw", "chain": "post", "handle": 2, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "10.0.2.0", "len": 24}}}}, {"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "eth0"}}, {"masquerade": null}]}}
    ]}"#;

    const SAVED: &str = "*nat\n:POSTROUTING ACCEPT [0:0]\n\
        -A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE\n\
        -A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE --random\n\
        -A POSTROUTING ! -s 10.0.2.0/24 -o eth0 -j MASQUERADE\nCOMMIT\n";

    fn lines(text: &str) -> Result<Vec<SaveRule>, NatError> {
        Ok(text.lines().filter_map(SaveRule::parse).collect())
    }

    fn forms(saved: Result<Vec<SaveRule>, NatError>) -> Vec<(String, Form)> {
        let ruleset: Nftables = serde_json::from_str(RULESET).unwrap();
        read(&ruleset, || saved)
            .into_iter()
            .map(|r| (r.id.to_string(), r.form))
            .collect()
    }

    #[test]
    fn only_iptables_own_exact_rule_is_the_installers() {
        let found = forms(lines(SAVED));
        let installers = Form::Installers(Installers {
            source: "10.0.2.0/24".into(),
            out: "eth0".into(),
        });
        assert_eq!(
            found[0],
            ("nft-rule/ip/nat/POSTROUTING/2".into(), installers)
        );
        // nft's JSON hides `--random`: iptables-nft-save shows it.
        assert_eq!(
            found[1].1,
            Form::Other(
                "it reads `-A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE --random`".into()
            )
        );
        assert!(
            matches!(&found[2].1, Form::Other(w) if w.contains("more than")),
            "{found:?}"
        );
        assert!(
            matches!(&found[3].1, Form::Other(w) if w.contains("chain mine")),
            "{found:?}"
        );
        assert!(
            matches!(&found[4].1, Form::Other(w) if w.contains("table inet fw")),
            "{found:?}"
        );
        assert_eq!(found.len(), 5);
    }

    #[test]
    fn without_iptables_view_an_iptables_target_is_not_proven() {
        let found = forms(Err(NatError::NftSaveMissing));
        assert!(
            found.iter().all(|(_, f)| matches!(f, Form::Other(_))),
            "{found:?}"
        );
        // Lines that do not line up with nft's rules prove nothing either.
        let found = forms(lines(
            "-A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE\n",
        ));
        assert!(
            matches!(&found[0].1, Form::Other(w) if w.contains("lists 1 rule(s)")),
            "{found:?}"
        );
    }
}
