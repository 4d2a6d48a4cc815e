//! `[[nat]]`: the network masqueraded and the interface it leaves through;
//! the same rule twice is refused at the second. [`masquerades`] tells
//! whether a network's traffic is masqueraded at all.

use ipnet::Ipv4Net;

use super::Checker;
use crate::diag::Diagnostic;
use crate::model::{Located, Nat, Topology};
use crate::raw::RawNat;
use crate::subst::Facts;

pub(crate) fn check(c: &mut Checker, raw: Vec<RawNat>) -> Vec<Nat> {
    raw.into_iter().filter_map(|n| nat(c, n)).collect()
}

fn nat(c: &mut Checker, raw: RawNat) -> Option<Nat> {
    let source = match raw.source.get_ref().parse::<Ipv4Net>() {
        Ok(net) if net.trunc() == net => Some(net),
        Ok(net) => {
            c.error(
                raw.source.span(),
                format!("NAT source {net} has host bits set"),
                format!("write the network: \"{}\"", net.trunc()),
            );
            None
        }
        Err(_) => {
            c.error(
                raw.source.span(),
                format!(
                    "NAT source \"{}\" is not an IPv4 network",
                    raw.source.get_ref()
                ),
                "write an IPv4 network in CIDR form, e.g. \"10.0.2.0/24\"",
            );
            None
        }
    };
    let out = c.template(&raw.out)?;
    if !raw.out.get_ref().contains("${") && !c.interface_name(&raw.out) {
        return None;
    }
    Some(Nat {
        source: source?,
        source_span: raw.source.span(),
        out: Located {
            value: out,
            span: raw.out.span(),
        },
    })
}

/// Whether some `[[nat]]` masquerades every address of `net`.
pub(crate) fn masquerades(t: &Topology, net: Ipv4Net) -> bool {
    t.nat.iter().any(|n| n.source.contains(&net))
}

/// Every `[[nat]]` that masquerades the same network out of the same
/// interface as one before it, at its `source`. `out` is compared as
/// `facts` resolve it (`${uplink}` and the uplink's name are the same
/// rule), or as written while a fact is not known.
pub(crate) fn twice(t: &Topology, facts: &Facts) -> Vec<Diagnostic> {
    let mut seen: Vec<(Ipv4Net, String)> = Vec::new();
    let mut out = Vec::new();
    for nat in &t.nat {
        let via = nat
            .out
            .value
            .resolve(facts)
            .unwrap_or_else(|_| nat.out.value.raw());
        let rule = (nat.source, via);
        if seen.contains(&rule) {
            out.push(
                Diagnostic::new(
                    nat.source_span.clone(),
                    format!(
                        "[[nat]] of {} out of \"{}\" is declared twice",
                        rule.0, rule.1
                    ),
                )
                .help("remove this [[nat]]: the one above already masquerades this traffic"),
            );
        } else {
            seen.push(rule);
        }
    }
    out
}
