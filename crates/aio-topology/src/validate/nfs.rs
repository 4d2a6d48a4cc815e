//! `[nfs]`: the exports of aio's drop-in and Cinder's share among them.
//! Each export's path, clients, options and directory are
//! `nfs_export`'s; here are the keys of `[nfs]` itself and how
//! `cinder_share` agrees with the exports and with `[kolla]`.

use indexmap::IndexMap;
use std::net::Ipv4Addr;
use toml::Spanned;

use super::Checker;
use super::nfs_export::{self, address_variable};
use crate::model::{Kolla, Located, Nfs};
use crate::raw::RawNfs;
use crate::subst::Template;

/// The Kolla globals aio sets from `cinder_share`.
pub const CINDER_GLOBALS: [&str; 2] = ["enable_cinder", "enable_cinder_backend_nfs"];

pub(crate) fn check(c: &mut Checker, raw: Spanned<RawNfs>, kolla: Option<&Kolla>) -> Nfs {
    let span = raw.span();
    let raw = raw.into_inner();
    let share = raw.cinder_share.as_ref().map(|s| s.get_ref().as_str());
    let mut declared = Vec::new();
    let mut exports = IndexMap::new();
    for (path, export) in raw.exports.unwrap_or_default() {
        declared.push(path.get_ref().clone());
        let is_share = share == Some(path.get_ref().as_str());
        if let Some(e) = nfs_export::check(c, path, export, is_share, kolla.is_some()) {
            exports.insert(e.path.clone(), e);
        }
    }
    if let Some(share) = &raw.cinder_share {
        cinder_share(c, share, &declared, kolla);
    }
    let address = match &raw.address {
        Some(value) => Located {
            value: address(c, value, kolla.is_some()).unwrap_or_else(default_address),
            span: value.span(),
        },
        None => Located {
            value: default_address(),
            span: span.clone(),
        },
    };
    Nfs {
        span,
        exports,
        cinder_share: raw.cinder_share.map(|s| Located {
            span: s.span(),
            value: s.into_inner(),
        }),
        address,
    }
}

fn default_address() -> Template {
    Template::variable("uplink_address")
}

/// `cinder_share` names an export, and Kolla deploys Cinder with it.
fn cinder_share(
    c: &mut Checker,
    share: &Spanned<String>,
    declared: &[String],
    kolla: Option<&Kolla>,
) {
    if !declared.contains(share.get_ref()) {
        let help = if declared.is_empty() {
            format!(
                "declare the export: [nfs.exports.\"{}\"] with its clients",
                share.get_ref()
            )
        } else {
            let paths: Vec<String> = declared.iter().map(|p| format!("\"{p}\"")).collect();
            format!("write one of the exports' paths: {}", paths.join(", "))
        };
        c.error(
            share.span(),
            format!(
                "cinder_share \"{}\" is not one of the exports",
                share.get_ref()
            ),
            help,
        );
    }
    let Some(kolla) = kolla else {
        c.error(
            share.span(),
            "cinder_share needs [kolla]: Kolla deploys Cinder",
            "add [kolla], or remove cinder_share to export the directory alone",
        );
        return;
    };
    for key in CINDER_GLOBALS {
        let Some(value) = kolla.globals.get(key) else {
            continue;
        };
        let on = match &value.value {
            toml::Value::Boolean(b) => *b,
            toml::Value::String(s) => {
                s.eq_ignore_ascii_case("yes") || s.eq_ignore_ascii_case("true")
            }
            _ => false,
        };
        if !on {
            c.error(
                value.span.clone(),
                format!(
                    "{key} = {}, but [nfs] cinder_share deploys Cinder's NFS backend",
                    value.value
                ),
                "aio sets enable_cinder and enable_cinder_backend_nfs to \"yes\" from [nfs] cinder_share; remove them",
            );
        }
    }
}

/// `address`: an IPv4 address or a substitution that is one.
fn address(c: &mut Checker, value: &Spanned<String>, has_kolla: bool) -> Option<Template> {
    let text = value.get_ref();
    if text.contains("${") {
        return address_variable(c, value, "address", has_kolla);
    }
    if text.parse::<Ipv4Addr>().is_ok() {
        return Template::parse(text).ok();
    }
    let problem = if text.parse::<ipnet::Ipv4Net>().is_ok() {
        "is a network, not an address"
    } else {
        "is not an IPv4 address"
    };
    c.error(
        value.span(),
        format!("address \"{text}\" {problem}"),
        "write the address Cinder mounts the share from: \"${uplink_address}\" (the default), \"${vip}\" or an IPv4 address such as \"192.168.100.10\"",
    );
    None
}

#[cfg(test)]
#[path = "nfs_tests.rs"]
mod tests;
