//! From the raw file to a [`Topology`]: every rule of the format that needs no
//! live system. Problems are collected, not stopped at, so a user sees them all.

pub(crate) mod interfaces;
pub(crate) mod kolla;
pub(crate) mod nat;
pub(crate) mod ovs;
pub(crate) mod physnet;
pub(crate) mod subnets;

use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics, Source, Span};
use crate::model::*;
use crate::parse::closest;
use crate::raw::{Map, RawTopology};
use crate::subst::Template;

pub const SUPPORTED_VERSIONS: [i64; 1] = [1];

/// Collects diagnostics while the topology is checked.
pub(crate) struct Checker {
    pub diags: Vec<Diagnostic>,
}

impl Checker {
    pub fn error(&mut self, span: Span, message: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic::new(span, message).help(help));
    }

    /// A value that must be one of `known`, with the closest suggested.
    pub fn one_of<'a>(
        &mut self,
        what: &str,
        value: &Spanned<String>,
        known: &[&'a str],
    ) -> Option<&'a str> {
        if let Some(k) = known.iter().find(|k| **k == value.get_ref()) {
            return Some(k);
        }
        let help = match closest(value.get_ref(), known) {
            Some(best) => format!(
                "did you mean \"{best}\"? {what} is one of: {}",
                known.join(", ")
            ),
            None => format!("{what} is one of: {}", known.join(", ")),
        };
        self.error(
            value.span(),
            format!("unknown {what} \"{}\"", value.get_ref()),
            help,
        );
        None
    }

    /// An interface name as the kernel and the tools around it take it: 1 to
    /// 15 bytes of printable ASCII, no `/`, `:` or whitespace, not `.`, `..`,
    /// `all` or `default` (which name every interface under `/proc/sys/net/*/conf/`).
    pub fn interface_name(&mut self, name: &Spanned<String>) -> bool {
        let n = name.get_ref();
        let problem = if n.is_empty() {
            Some("is empty")
        } else if n.len() > 15 {
            Some("is longer than 15 bytes")
        } else if n.contains('/') {
            Some("contains `/`")
        } else if n.contains(':') {
            Some("contains `:`")
        } else if n.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Some("contains whitespace")
        } else if !n.is_ascii() {
            Some("is not plain ASCII")
        } else if n == "." || n == ".." {
            Some("is `.` or `..`")
        } else if n == "all" || n == "default" {
            Some("is reserved: /proc/sys/net/ipv4/conf/all and default mean every interface")
        } else {
            None
        };
        if let Some(problem) = problem {
            self.error(
                name.span(),
                format!("interface name \"{n}\" {problem}"),
                "a Linux interface name has 1 to 15 bytes of printable ASCII, none of `/`, `:` or whitespace, and is not `all` or `default`",
            );
        }
        problem.is_none()
    }

    /// A string that may hold `${uplink}`, `${uplink_address}`, `${vip}`.
    pub fn template(&mut self, value: &Spanned<String>) -> Option<Template> {
        match Template::parse(value.get_ref()) {
            Ok(t) => Some(t),
            Err(unknown) => {
                let message = if unknown.unterminated {
                    format!("substitution `${{{}` has no closing `}}`", unknown.name)
                } else {
                    format!("unknown substitution `${{{}}}`", unknown.name)
                };
                self.error(
                    value.span(),
                    message,
                    format!(
                        "substitutions are {}",
                        crate::subst::VARIABLES
                            .map(|v| format!("${{{v}}}"))
                            .join(", ")
                    ),
                );
                None
            }
        }
    }
}

pub fn validate(source: &Source, raw: RawTopology) -> Result<Topology, Diagnostics> {
    let version = raw.version;
    if !SUPPORTED_VERSIONS.contains(version.get_ref()) {
        let d = Diagnostic::new(
            version.span(),
            format!("unsupported format version {}", version.get_ref()),
        )
        .help("this aio reads format version 1: write `version = 1`");
        return Err(Diagnostics::single(source, d));
    }
    let mut c = Checker { diags: Vec::new() };
    let host = host(&mut c, raw.host);
    let sysctl = sysctl(&mut c, raw.sysctl);
    let interfaces = interfaces::check(&mut c, raw.interfaces);
    let nat = nat::check(&mut c, raw.nat.unwrap_or_default());
    let kolla = raw.kolla.and_then(|k| kolla::check(&mut c, k));
    let ovs = raw
        .ovs
        .and_then(|o| ovs::check(&mut c, o, kolla.is_some(), &interfaces));
    let topology = Topology {
        source: source.clone(),
        host,
        sysctl,
        interfaces,
        nat,
        ovs,
        kolla,
    };
    let facts = topology.static_facts();
    c.diags.extend(crate::uplink::check(&topology, &facts));
    c.diags.extend(nat::twice(&topology, &facts));
    c.diags.extend(physnet::check(&topology));
    if c.diags.is_empty() {
        Ok(topology)
    } else {
        c.diags.sort_by_key(|d| d.span.start);
        Err(Diagnostics {
            file: source.clone(),
            items: c.diags,
        })
    }
}

fn host(c: &mut Checker, raw: Option<crate::raw::RawHost>) -> Host {
    let uplink = match raw.and_then(|h| h.uplink) {
        None => Located {
            value: Uplink::Auto,
            span: 0..0,
        },
        Some(u) if u.get_ref() == "auto" => Located {
            value: Uplink::Auto,
            span: u.span(),
        },
        Some(u) => {
            c.interface_name(&u);
            Located {
                value: Uplink::Named(u.get_ref().clone()),
                span: u.span(),
            }
        }
    };
    Host { uplink }
}

fn sysctl(c: &mut Checker, raw: Option<Map<Spanned<toml::Value>>>) -> Vec<Sysctl> {
    let mut out = Vec::new();
    for (key, value) in raw.unwrap_or_default() {
        let valid_segment = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
        };
        if !key.get_ref().split('.').all(valid_segment) {
            c.error(
                key.span(),
                format!("\"{}\" is not a sysctl name", key.get_ref()),
                "write dotted names of letters, digits, `_` and `-`, e.g. \"net.ipv4.ip_forward\"",
            );
            continue;
        }
        let value = match value.get_ref() {
            toml::Value::Integer(i) => SysctlValue::Int(*i),
            toml::Value::String(s) if !s.contains('\n') => SysctlValue::Text(s.clone()),
            other => {
                c.error(
                    value.span(),
                    format!("sysctl value {other} is not an integer or a one-line string"),
                    "write e.g. `1` or `\"4096 87380 6291456\"`",
                );
                continue;
            }
        };
        out.push(Sysctl {
            key: Located {
                value: key.get_ref().clone(),
                span: key.span(),
            },
            value,
        });
    }
    out
}
