//! From the raw file to a [`Topology`]: every rule of the format that needs no
//! live system. Problems are collected, not stopped at, so a user sees them all.

pub(crate) mod external_network;
pub(crate) mod interfaces;
pub(crate) mod kolla;
pub(crate) mod nat;
pub(crate) mod neutron;
pub(crate) mod nfs;
mod nfs_directory;
mod nfs_export;
mod nfs_options;
pub(crate) mod octavia;
pub(crate) mod ovs;
pub(crate) mod physnet;
pub(crate) mod subnets;

mod checker;
#[cfg(test)]
pub(crate) mod testing;

pub(crate) use checker::Checker;

use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics, Source};
use crate::model::*;
use crate::raw::{Map, RawTopology};
use crate::vocabulary::SUPPORTED_VERSIONS;

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
    let neutron = raw
        .neutron
        .map(|n| neutron::check(&mut c, n, kolla.is_some()));
    let nfs = raw.nfs.map(|n| nfs::check(&mut c, n, kolla.as_ref()));
    let topology = Topology {
        source: source.clone(),
        host,
        sysctl,
        interfaces,
        nat,
        ovs,
        kolla,
        neutron,
        nfs,
    };
    let facts = topology.static_facts();
    c.diags.extend(crate::uplink::check(&topology, &facts));
    c.diags.extend(nat::twice(&topology, &facts));
    c.diags.extend(physnet::check(&topology));
    c.diags.extend(external_network::check(&topology));
    c.diags.extend(octavia::check(&topology));
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
