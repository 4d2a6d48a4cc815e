//! Every interface a topology names must be one it declares, the uplink,
//! or (once the live system is known) one that exists: masters, NAT `out`,
//! OVS ports of type `system`, and every Kolla global ending in
//! `_interface` (comma lists included). A typo is found at plan, located at
//! the value with the closest known name, not tens of minutes into a deploy.

use std::collections::HashSet;

use crate::diag::{Diagnostic, Span};
use crate::model::{OvsPortType, Topology};
use crate::subst::{Facts, Template};
use crate::suggest::closest;

pub fn check(t: &Topology, facts: &Facts) -> Vec<Diagnostic> {
    let mut known: Vec<&str> = t.interfaces.keys().map(String::as_str).collect();
    known.extend(facts.uplink.as_deref());
    known.extend(facts.existing.iter().map(String::as_str));
    // Looked up once per name a topology uses: thousands of each on a large host.
    let lookup: HashSet<&str> = known.iter().copied().collect();
    let mut out = Vec::new();
    let mut check = |name: &str, span: &Span, what: &str| {
        if name.is_empty() || lookup.contains(name) {
            return;
        }
        let help = match closest(name, &known) {
            Some(best) => format!(
                "did you mean \"{best}\"? declare it under [interfaces], or name one that exists"
            ),
            None => "declare it under [interfaces], or name an interface that exists".to_string(),
        };
        out.push(
            Diagnostic::new(
                span.clone(),
                format!("{what} \"{name}\" is neither declared, the uplink, nor an interface of this host"),
            )
            .help(help),
        );
    };
    for iface in t.interfaces.values() {
        if let Some(m) = &iface.master {
            check(&m.value, &m.span, "master");
        }
    }
    for nat in &t.nat {
        if let Ok(name) = nat.out.value.resolve(facts) {
            check(&name, &nat.out.span, "NAT out");
        }
    }
    for port in t
        .ovs
        .iter()
        .flat_map(|o| o.bridges.values())
        .flat_map(|b| b.ports.values())
        .filter(|p| p.kind == OvsPortType::System)
    {
        check(&port.name, &port.name_span, "OVS port");
    }
    for (key, value) in t.kolla.iter().flat_map(|k| &k.globals) {
        if !key.ends_with("_interface") {
            continue;
        }
        let Some(text) = value.value.as_str() else {
            continue;
        };
        let Ok(resolved) = Template::parse(text).map(|tpl| tpl.resolve(facts)) else {
            continue;
        };
        for name in resolved.iter().flat_map(|r| r.split(',')) {
            check(name.trim(), &value.span, key);
        }
    }
    out
}
