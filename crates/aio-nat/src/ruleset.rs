//! aio's nftables table: reading its rules, and the batch that changes them.

use nftables::batch::Batch;
use nftables::expr::{Expression, Meta, MetaKey, NamedExpression, Payload, PayloadField, Prefix};
use nftables::helper::{self, DEFAULT_NFT, NftablesError};
use nftables::schema::{Chain, NfListObject, NfObject, Nftables, Rule, Table};
use nftables::stmt::{Match, Operator, Statement};
use nftables::types::{NfChainPolicy, NfChainType, NfFamily, NfHook};
use std::collections::BTreeMap;

pub const TABLE: &str = "aio";
pub const CHAIN: &str = "postrouting";
/// Rules whose comment starts with this are aio's; the rest names the resource.
const MARK: &str = "aio:";
/// `srcnat`, where masquerade rules go.
const SRCNAT: i32 = 100;

/// A rule to add: its resource id (kept in the comment), source network, output interface.
pub struct NewRule {
    pub id: String,
    pub source: String,
    pub out: String,
}

/// aio's rules now, as resource id -> rule handle. No table: no rules.
pub fn list() -> Result<BTreeMap<String, u32>, String> {
    let ruleset =
        match helper::get_current_ruleset_with_args(DEFAULT_NFT, ["list", "table", "ip", TABLE]) {
            Ok(r) => r,
            Err(NftablesError::NftFailed { stderr, .. })
                if stderr.contains("No such file or directory") =>
            {
                return Ok(BTreeMap::new());
            }
            Err(e) => return Err(describe(e)),
        };
    let mut rules = BTreeMap::new();
    for object in ruleset.objects.iter() {
        if let NfObject::ListObject(NfListObject::Rule(rule)) = object
            && rule.chain == CHAIN
            && let (Some(comment), Some(handle)) = (&rule.comment, rule.handle)
            && let Some(id) = comment.strip_prefix(MARK)
        {
            rules.insert(id.to_string(), handle);
        }
    }
    Ok(rules)
}

/// One batch: the table and chain made sure of, `delete` handles removed, `add` rules added;
/// the table itself removed when no rule of aio's is left.
pub fn batch(delete: &[u32], add: &[NewRule], drop_table: bool) -> Nftables<'static> {
    let mut b = Batch::new();
    b.add(NfListObject::Table(Table {
        family: NfFamily::IP,
        name: TABLE.into(),
        handle: None,
    }));
    b.add(NfListObject::Chain(Chain {
        family: NfFamily::IP,
        table: TABLE.into(),
        name: CHAIN.into(),
        _type: Some(NfChainType::NAT),
        hook: Some(NfHook::Postrouting),
        prio: Some(SRCNAT),
        policy: Some(NfChainPolicy::Accept),
        ..Chain::default()
    }));
    for handle in delete {
        b.delete(NfListObject::Rule(Rule {
            family: NfFamily::IP,
            table: TABLE.into(),
            chain: CHAIN.into(),
            handle: Some(*handle),
            ..Rule::default()
        }));
    }
    for rule in add {
        b.add(NfListObject::Rule(masquerade(rule)));
    }
    if drop_table {
        b.delete(NfListObject::Table(Table {
            family: NfFamily::IP,
            name: TABLE.into(),
            handle: None,
        }));
    }
    b.to_nftables()
}

/// `ip saddr SOURCE oifname OUT masquerade comment "aio:ID"`
fn masquerade(rule: &NewRule) -> Rule<'static> {
    let (addr, len) = rule.source.split_once('/').expect("a validated CIDR");
    let saddr = Expression::Named(NamedExpression::Payload(Payload::PayloadField(
        PayloadField {
            protocol: "ip".into(),
            field: "saddr".into(),
        },
    )));
    let prefix = Expression::Named(NamedExpression::Prefix(Prefix {
        addr: Box::new(Expression::String(addr.to_string().into())),
        len: len.parse().expect("a validated prefix length"),
    }));
    let oifname = Expression::Named(NamedExpression::Meta(Meta {
        key: MetaKey::Oifname,
    }));
    Rule {
        family: NfFamily::IP,
        table: TABLE.into(),
        chain: CHAIN.into(),
        expr: vec![
            Statement::Match(Match {
                left: saddr,
                right: prefix,
                op: Operator::EQ,
            }),
            Statement::Match(Match {
                left: oifname,
                right: Expression::String(rule.out.clone().into()),
                op: Operator::EQ,
            }),
            Statement::Masquerade(None),
        ]
        .into(),
        comment: Some(format!("{MARK}{}", rule.id).into()),
        ..Rule::default()
    }
}

pub fn apply(nftables: &Nftables) -> Result<(), String> {
    helper::apply_ruleset(nftables).map_err(describe)
}

fn describe(e: NftablesError) -> String {
    match e {
        NftablesError::NftFailed { hint, stderr, .. } => {
            format!("nft failed while {hint}: {}", stderr.trim())
        }
        NftablesError::NftExecution { inner, .. } => {
            format!("cannot run nft (is nftables installed?): {inner}")
        }
        other => other.to_string(),
    }
}
