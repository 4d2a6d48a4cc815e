//! `[nfs.exports."PATH"]`: the exported directory and who may mount it.
//! The options are `nfs_options`', the directory's owner, group and mode
//! `nfs_directory`'s.
//!
//! The safety rules: a client that is every host (`*`, or `0.0.0.0/0`,
//! which says the same) needs `any_client = true`, and never goes with
//! `no_root_squash`, which would make any host's root root on the export.

use ipnet::Ipv4Net;
use std::net::Ipv4Addr;
use toml::Spanned;

use super::Checker;
use super::{nfs_directory, nfs_options};
use crate::model::{Located, NfsExport};
use crate::raw::RawNfsExport;
use crate::subst::Template;
use crate::vocabulary::nfs::{ADDRESS_VARIABLES, DEFAULT_MODE, SYSTEM_DIRS};

/// The export; `None` when its path is refused.
pub(crate) fn check(
    c: &mut Checker,
    path: Spanned<String>,
    raw: RawNfsExport,
    is_cinder_share: bool,
    has_kolla: bool,
) -> Option<NfsExport> {
    let path_ok = export_path(c, &path);
    let any_client = raw.any_client.as_ref().is_some_and(|a| *a.get_ref());
    let (clients, every_host) = clients(c, path.get_ref(), &raw.clients, any_client, has_kolla);
    let options = nfs_options::check(c, raw.options.as_ref(), &path.span());
    if let Some(client) = &every_host {
        nfs_options::no_root_squash_for_every_host(c, &options, client, path.get_ref());
    }
    if is_cinder_share {
        nfs_options::writable_for_cinder(c, &options, raw.options.as_ref(), path.get_ref());
    }
    for id in [(&raw.owner, "owner", "uid"), (&raw.group, "group", "gid")] {
        if let (Some(value), key, number) = id {
            nfs_directory::owner(c, value, key, number);
        }
    }
    let mode = match &raw.mode {
        Some(value) => Located {
            value: nfs_directory::mode(c, value).unwrap_or(DEFAULT_MODE),
            span: value.span(),
        },
        None => Located {
            value: DEFAULT_MODE,
            span: path.span(),
        },
    };
    let located = |v: Spanned<String>| Located {
        span: v.span(),
        value: v.into_inner(),
    };
    path_ok.then(|| NfsExport {
        path_span: path.span(),
        path: path.into_inner(),
        clients,
        options,
        owner: raw.owner.map(located),
        group: raw.group.map(located),
        mode,
        any_client,
    })
}

/// Absolute, normalised, a directory of its own: not `/`, nothing of the
/// host's system directories, no character exports(5) reads specially.
fn export_path(c: &mut Checker, path: &Spanned<String>) -> bool {
    let p = path.get_ref();
    let parts: Vec<&str> = p.split('/').skip(1).collect();
    let (message, help) = if !p.starts_with('/') {
        (
            format!("export path \"{p}\" is not absolute"),
            "write a path from /, e.g. \"/mnt/nfs\"".to_string(),
        )
    } else if p
        .chars()
        .any(|ch| ch.is_whitespace() || ch.is_control() || "\"\\#".contains(ch))
    {
        (
            format!("export path {p:?} holds a character exports(5) reads specially"),
            "write a path without whitespace, control characters, `\"`, `\\` or `#`".to_string(),
        )
    } else if p == "/" {
        (
            "export path \"/\" is the whole filesystem".to_string(),
            "export a directory of its own, e.g. \"/mnt/nfs\"".to_string(),
        )
    } else if parts
        .iter()
        .any(|s| s.is_empty() || *s == "." || *s == "..")
    {
        (
            format!("export path \"{p}\" is not normalised"),
            match normalised(&parts).filter(|n| system_dir(&n[1..]).is_none()) {
                Some(n) => format!("write \"{n}\": no \".\", \"..\", \"//\" or trailing \"/\""),
                None => "write a path without \".\", \"..\", \"//\" or a trailing \"/\"".into(),
            },
        )
    } else if let Some(dir) = system_dir(parts[0]) {
        (
            format!("export path \"{p}\" is under /{dir}, the host's own"),
            "export a directory of its own, e.g. under /mnt or /srv: /proc, /sys, /dev, /run, /etc, /boot, /usr, /bin, /sbin and /lib* belong to the host".to_string(),
        )
    } else {
        return true;
    };
    c.error(path.span(), message, help);
    false
}

/// The path `.` and `..` resolved, empty parts dropped; `None` when that
/// leaves `/` alone.
fn normalised(parts: &[&str]) -> Option<String> {
    let mut kept: Vec<&str> = Vec::new();
    for part in parts {
        match *part {
            "" | "." => {}
            ".." => {
                kept.pop();
            }
            other => kept.push(other),
        }
    }
    (!kept.is_empty()).then(|| format!("/{}", kept.join("/")))
}

/// The system directory a path is under, if any; `relative` is the path
/// without its leading `/`.
fn system_dir(relative: &str) -> Option<&'static str> {
    let first = relative.split('/').next().unwrap_or(relative);
    SYSTEM_DIRS
        .into_iter()
        .find(|dir| match dir.strip_suffix('*') {
            Some(prefix) => first.starts_with(prefix),
            None => first == *dir,
        })
}

/// The clients, and the first one that is every host (when one is).
fn clients(
    c: &mut Checker,
    path: &str,
    raw: &Spanned<Vec<Spanned<String>>>,
    any_client: bool,
    has_kolla: bool,
) -> (Vec<Located<Template>>, Option<Located<String>>) {
    if raw.get_ref().is_empty() {
        c.error(
            raw.span(),
            format!("export {path} has no clients"),
            "name who may mount it, e.g. clients = [\"${uplink_address}\"] for the host itself",
        );
    }
    let mut out = Vec::new();
    let mut every_host = None;
    for (i, client) in raw.get_ref().iter().enumerate() {
        let text = client.get_ref();
        if raw.get_ref()[..i].iter().any(|c| c.get_ref() == text) {
            c.error(
                client.span(),
                format!("client \"{text}\" is listed twice"),
                "remove one",
            );
            continue;
        }
        let template = if text == "*" || text == "0.0.0.0/0" {
            if !any_client {
                c.error(
                    client.span(),
                    format!("client \"{text}\" lets every host mount {path}"),
                    "name the clients (the host itself is \"${uplink_address}\"), or set any_client = true",
                );
            }
            every_host.get_or_insert(Located {
                value: text.clone(),
                span: client.span(),
            });
            Template::parse(text).ok()
        } else if text.contains("${") {
            address_variable(c, client, "client", has_kolla)
        } else {
            literal_client(c, client)
        };
        if let Some(value) = template {
            out.push(Located {
                value,
                span: client.span(),
            });
        }
    }
    (out, every_host)
}

/// An IPv4 address, or a network without host bits.
fn literal_client(c: &mut Checker, client: &Spanned<String>) -> Option<Template> {
    let text = client.get_ref();
    let ok = match text.parse::<Ipv4Net>() {
        Ok(net) if net.trunc() == net => true,
        Ok(net) => {
            c.error(
                client.span(),
                format!("client {net} has host bits set"),
                format!("write the network: \"{}\"", net.trunc()),
            );
            return None;
        }
        Err(_) => text.parse::<Ipv4Addr>().is_ok(),
    };
    if !ok {
        c.error(
            client.span(),
            format!("client \"{text}\" is not an IPv4 address or network"),
            "write an IPv4 address (\"192.168.100.11\"), a network (\"192.168.100.0/24\") or \"${uplink_address}\" for the host itself",
        );
        return None;
    }
    Template::parse(text).ok()
}

/// A value that is `${uplink_address}` or `${vip}` alone: an address.
pub(crate) fn address_variable(
    c: &mut Checker,
    value: &Spanned<String>,
    key: &str,
    has_kolla: bool,
) -> Option<Template> {
    let template = c.template(value)?;
    let text = value.get_ref();
    let alone = ADDRESS_VARIABLES
        .iter()
        .any(|v| *text == format!("${{{v}}}"));
    let (message, help) = if text.contains("${uplink}") {
        (
            format!("{key} \"{text}\": `${{uplink}}` is an interface name, not an address"),
            "write \"${uplink_address}\", the uplink's address",
        )
    } else if !alone {
        (
            format!("{key} \"{text}\" is not a substitution alone"),
            "write \"${uplink_address}\" or \"${vip}\" alone, or an IPv4 address",
        )
    } else if text == "${vip}" && !has_kolla {
        (
            format!("{key} \"${{vip}}\" needs [kolla]: the VIP is kolla.vip"),
            "write \"${uplink_address}\" or an IPv4 address, or add [kolla]",
        )
    } else {
        return Some(template);
    };
    c.error(value.span(), message, help);
    None
}

#[cfg(test)]
#[path = "nfs_export_tests.rs"]
mod tests;
