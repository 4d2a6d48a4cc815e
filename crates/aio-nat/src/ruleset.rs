//! aio's nftables table: reading its rules, and the batch that changes them.

use nftables::batch::Batch;
use nftables::expr::{Expression, Meta, MetaKey, NamedExpression, Payload, PayloadField, Prefix};
use nftables::schema::{Chain, NfListObject, NfObject, Nftables, Rule, Table};
use nftables::stmt::{Match, Operator, Statement};
use nftables::types::{NfChainPolicy, NfChainType, NfFamily, NfHook};
use std::collections::BTreeMap;

use crate::error::{NatError, NftTask, Tool};

pub const TABLE: &str = "aio";
pub const CHAIN: &str = "postrouting";
/// Rules whose comment starts with this are aio's; the rest names the resource.
const MARK: &str = "aio:";
/// `srcnat`, where masquerade rules go.
const SRCNAT: i32 = 100;

/// A rule to add: its resource id (kept in the comment), source network
/// (address and prefix length), output interface.
pub struct NewRule {
    pub id: String,
    pub addr: String,
    pub len: u32,
    pub out: String,
}

/// One of aio's rules as nftables holds it, read back from its expressions
/// (not trusted from its comment: anyone may `nft replace` a rule and keep it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRule {
    pub handle: u32,
    /// `ip saddr` as `ADDR/LEN`, when the rule matches on it.
    pub source: Option<String>,
    /// `oifname`, when the rule matches on it.
    pub out: Option<String>,
    /// Its statements, e.g. `masquerade`; anything aio does not write shows as such.
    pub statement: String,
}

/// aio's table as it is now.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// aio's rules by resource id (from their comment), in handle order.
    pub rules: BTreeMap<String, Vec<LiveRule>>,
    /// Rules, chains, sets and other objects in the table that are not aio's.
    pub foreign: usize,
}

/// What `nft -j list` is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listing {
    /// aio's own table, `ip aio`.
    AioTable,
    /// Every table.
    Ruleset,
}

/// `nft -j list ...` read into nftables' objects: the one reader of
/// nft's JSON. aio's table not there is an empty list.
pub(crate) fn listed(listing: Listing) -> Result<Nftables<'static>, NatError> {
    let (args, task): (&[&str], NftTask) = match listing {
        Listing::AioTable => (
            &["-j", "list", "table", "ip", TABLE],
            NftTask::ListTable { table: TABLE },
        ),
        Listing::Ruleset => (&["-j", "list", "ruleset"], NftTask::ListRuleset),
    };
    let text = match nft(task, args, None) {
        Ok(text) => text,
        Err(NatError::NftRefused { stderr, .. })
            if listing == Listing::AioTable && stderr.contains("No such file or directory") =>
        {
            return Ok(Nftables {
                objects: Vec::new().into(),
            });
        }
        Err(e) => return Err(e),
    };
    serde_json::from_str(&text).map_err(NatError::NftUnreadable)
}

/// aio's table now. No table: no rules.
pub fn list() -> Result<Snapshot, NatError> {
    let ruleset = listed(Listing::AioTable)?;
    let mut table = Snapshot::default();
    for object in ruleset.objects.iter() {
        let NfObject::ListObject(object) = object else {
            continue;
        };
        match object {
            NfListObject::Table(_) | NfListObject::MetainfoObject(_) => {}
            NfListObject::Chain(c) if c.name == CHAIN => {}
            NfListObject::Rule(rule) => match (aio_id(rule), rule.handle) {
                (Some(id), Some(handle)) => table
                    .rules
                    .entry(id.to_string())
                    .or_default()
                    .push(read_rule(rule, handle)),
                _ => table.foreign += 1,
            },
            _ => table.foreign += 1,
        }
    }
    Ok(table)
}

/// The resource id of one of aio's rules (in aio's chain, with aio's comment).
fn aio_id<'r>(rule: &'r Rule) -> Option<&'r str> {
    if rule.chain != CHAIN {
        return None;
    }
    rule.comment.as_deref()?.strip_prefix(MARK)
}

pub(crate) fn read_rule(rule: &Rule, handle: u32) -> LiveRule {
    let (mut source, mut out, mut statements) = (None, None, Vec::new());
    for statement in rule.expr.iter() {
        match statement {
            Statement::Match(m) if m.op == Operator::EQ => match (&m.left, &m.right) {
                (Expression::Named(NamedExpression::Payload(Payload::PayloadField(f))), right)
                    if f.protocol == "ip" && f.field == "saddr" =>
                {
                    source = Some(match right {
                        Expression::Named(NamedExpression::Prefix(p)) => match &*p.addr {
                            Expression::String(a) => format!("{a}/{}", p.len),
                            other => format!("{other:?}"),
                        },
                        Expression::String(a) => format!("{a}/32"),
                        other => format!("{other:?}"),
                    });
                }
                (Expression::Named(NamedExpression::Meta(meta)), Expression::String(name))
                    if meta.key == MetaKey::Oifname =>
                {
                    out = Some(name.to_string());
                }
                _ => statements.push(format!("{statement:?}")),
            },
            Statement::Masquerade(None) => statements.push("masquerade".into()),
            // A counter only counts; iptables-nft writes masquerade as its xtables target.
            Statement::Counter(_) => {}
            Statement::XT(Some(xt)) if is_masquerade_target(xt) => {
                statements.push("masquerade".into());
            }
            other => statements.push(format!("{other:?}")),
        }
    }
    LiveRule {
        handle,
        source,
        out,
        statement: statements.join(" "),
    }
}

/// `{"type": "target", "name": "MASQUERADE"}`: iptables-nft's masquerade.
pub(crate) fn is_masquerade_target(xt: &serde_json::Value) -> bool {
    xt.get("type").and_then(|t| t.as_str()) == Some("target")
        && xt.get("name").and_then(|n| n.as_str()) == Some("MASQUERADE")
}

/// A rule in someone else's table, by its handle: `(family, table, chain, handle)`.
pub type RuleAt = (NfFamily, String, String, u32);

/// One batch: the table and chain made sure of, `delete` handles removed, `add` rules added,
/// `foreign` rules of other tables removed; the table itself removed when no rule of aio's is left.
pub fn batch(
    delete: &[u32],
    add: &[NewRule],
    drop_table: bool,
    foreign: &[RuleAt],
) -> Nftables<'static> {
    let mut b = Batch::new();
    for (family, table, chain, handle) in foreign {
        b.delete(NfListObject::Rule(Rule {
            family: *family,
            table: table.clone().into(),
            chain: chain.clone().into(),
            handle: Some(*handle),
            ..Rule::default()
        }));
    }
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
    let saddr = Expression::Named(NamedExpression::Payload(Payload::PayloadField(
        PayloadField {
            protocol: "ip".into(),
            field: "saddr".into(),
        },
    )));
    let prefix = Expression::Named(NamedExpression::Prefix(Prefix {
        addr: Box::new(Expression::String(rule.addr.clone().into())),
        len: rule.len,
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

/// Carries out one batch: the kernel takes it whole or not at all.
pub fn apply(nftables: &Nftables) -> Result<(), NatError> {
    let json = serde_json::to_vec(nftables).map_err(NatError::BatchUnwritable)?;
    nft(NftTask::ApplyBatch, &["-j", "-f", "-"], Some(&json)).map(drop)
}

/// Runs `nft` for `task`: its stdout, or what went wrong.
fn nft(task: NftTask, args: &[&str], stdin: Option<&[u8]>) -> Result<String, NatError> {
    let mut command = std::process::Command::new(Tool::Nft.program());
    answer(task, Tool::Nft.output(command.args(args), stdin)?)
}

/// What `nft` answered for `task`: its stdout, or its refusal.
fn answer(task: NftTask, out: std::process::Output) -> Result<String, NatError> {
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(NatError::NftRefused {
            task,
            stderr: crate::error::stderr_of(&out),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aio_engine::{ErrorKind, ProviderError};

    /// What `sh -c SCRIPT` printed and how it ended.
    fn ran(script: &str) -> std::process::Output {
        std::process::Command::new("sh")
            .args(["-c", script])
            .output()
            .unwrap()
    }

    #[test]
    fn an_nft_that_refuses_is_its_trimmed_stderr_unreachable_for_a_listing_failed_for_a_batch() {
        let refused = || {
            ran("echo '  Error: Could not process rule: No such file or directory ' >&2; exit 1")
        };
        let e = answer(NftTask::ListTable { table: TABLE }, refused()).unwrap_err();
        assert!(
            matches!(&e, NatError::NftRefused { stderr, .. }
                if stderr == "Error: Could not process rule: No such file or directory"),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "nft failed while listing table ip aio: Error: Could not process rule: No such file or directory"
        );
        assert_eq!(ProviderError::from(e).kind(), ErrorKind::Unreachable);

        let e = answer(NftTask::ListRuleset, refused()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("nft failed while listing the ruleset: Error:"),
            "{e}"
        );
        assert_eq!(e.kind(), ErrorKind::Unreachable);

        let e = answer(NftTask::ApplyBatch, refused()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("nft failed while applying aio's batch: Error:"),
            "{e}"
        );
        assert_eq!(ProviderError::from(e).kind(), ErrorKind::Failed);

        assert_eq!(
            answer(NftTask::ApplyBatch, ran("echo '{}'")).unwrap(),
            "{}\n"
        );
    }
}
