//! The one iptables command a boot script may run: the old installer's
//! masquerade of a declared `[[nat]]`.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::declared::{Declared, Unaccounted};
use super::shell::{Word, text};

/// `-t nat -A POSTROUTING -s SOURCE -o OUT -j MASQUERADE`, in any order.
pub(super) fn masquerade(
    args: &[Word],
    declared: Declared<'_>,
    uplink_vars: &BTreeSet<String>,
) -> Result<(), Unaccounted> {
    let mut options: Vec<(&str, &Word)> = Vec::new();
    let mut rest = args;
    while let [Word::Text(flag), value, tail @ ..] = rest {
        let key = match flag.as_str() {
            "-t" | "--table" => "table",
            "-A" | "--append" => "chain",
            "-s" | "--source" => "source",
            "-o" | "--out-interface" => "out",
            "-j" | "--jump" => "target",
            _ => break,
        };
        if options.iter().any(|(k, _)| *k == key) {
            break;
        }
        options.push((key, value));
        rest = tail;
    }
    let get = |key: &str| options.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    let is = |key: &str, want: &str| get(key) == Some(&text(want));
    let not_a_masquerade = || {
        let all: Vec<String> = args.iter().map(ToString::to_string).collect();
        Unaccounted::Command(format!("iptables {}", all.join(" ")))
    };
    if !rest.is_empty()
        || !is("table", "nat")
        || !is("chain", "POSTROUTING")
        || !is("target", "MASQUERADE")
    {
        return Err(not_a_masquerade());
    }
    let (Some(Word::Text(source)), Some(out)) = (get("source"), get("out")) else {
        return Err(not_a_masquerade());
    };
    let shown_out = out.to_string();
    let unaccounted = || Unaccounted::Nat {
        source: source.clone(),
        out: shown_out.clone(),
    };
    let source: Ipv4Net = source
        .parse()
        .ok()
        .or_else(|| source.parse::<Ipv4Addr>().ok().map(Ipv4Net::from))
        .ok_or_else(unaccounted)?;
    if let Word::Var(var) = out
        && !uplink_vars.contains(var)
    {
        return Err(Unaccounted::Variable(var.clone()));
    }
    let uplink = declared.facts.uplink.as_deref();
    let matches = declared.topology.nat.iter().any(|nat| {
        if nat.source.trunc() != source.trunc() {
            return false;
        }
        let resolved = nat.out.value.resolve(declared.facts).ok();
        match out {
            Word::Text(name) => resolved.as_deref() == Some(name.as_str()),
            Word::Var(_) => {
                nat.out.value.raw() == "${uplink}"
                    || (resolved.is_some() && resolved.as_deref() == uplink)
            }
        }
    });
    if matches { Ok(()) } else { Err(unaccounted()) }
}
