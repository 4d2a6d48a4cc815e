//! `[neutron]` and `[neutron.external_network]`, value by value: the cloud
//! aio signs in as, where its `clouds.yaml` is, the names and the physnet,
//! and the shapes of `cidr`, `gateway` and `allocation_pool`. How the
//! external network agrees with the plumbing is `external_network`'s.

use ipnet::Ipv4Net;
use std::net::Ipv4Addr;
use toml::Spanned;

use super::Checker;
use crate::model::{ExternalNetworkDecl, Located, Neutron};
use crate::raw::{RawExternalNetwork, RawNeutron};
use crate::vocabulary::neutron::{NAME_MAX, PHYSNETS};

/// The cloud Kolla's post-deploy writes into `clouds.yaml`.
pub const DEFAULT_CLOUD: &str = "kolla-admin";
/// The external network's name in Kolla's `init-runonce`.
pub const DEFAULT_NETWORK: &str = "public1";
/// Appended to the network's name to name its subnet.
pub const SUBNET_SUFFIX: &str = "-subnet";

pub(crate) fn check(c: &mut Checker, raw: Spanned<RawNeutron>, has_kolla: bool) -> Neutron {
    let span = raw.span();
    let raw = raw.into_inner();
    if raw.clouds_yaml.is_none() && !has_kolla {
        c.error(
            span.clone(),
            "[neutron] has no `clouds_yaml` and there is no [kolla] to take it from",
            "set clouds_yaml = \"/etc/kolla/clouds.yaml\" (an absolute path), or add [kolla]: the default is <kolla.config_dir>/clouds.yaml",
        );
    }
    if let Some(path) = &raw.clouds_yaml {
        clouds_yaml(c, path);
    }
    let cloud = match raw.cloud {
        Some(cloud) => {
            one_line(
                c,
                &cloud,
                "cloud",
                "the name of a cloud in clouds.yaml, e.g. \"kolla-admin\"",
            );
            located(cloud)
        }
        None => Located {
            value: DEFAULT_CLOUD.into(),
            span: span.clone(),
        },
    };
    Neutron {
        span,
        cloud,
        clouds_yaml: raw.clouds_yaml.map(located),
        external_network: raw.external_network.and_then(|e| external_network(c, e)),
    }
}

fn located<T>(value: Spanned<T>) -> Located<T> {
    Located {
        span: value.span(),
        value: value.into_inner(),
    }
}

fn clouds_yaml(c: &mut Checker, path: &Spanned<String>) {
    if !path.get_ref().starts_with('/') {
        c.error(
            path.span(),
            format!("clouds_yaml \"{}\" is not an absolute path", path.get_ref()),
            "write a path from /, e.g. \"/etc/kolla/clouds.yaml\"",
        );
    } else if path.get_ref().chars().any(char::is_control) {
        c.error(
            path.span(),
            "clouds_yaml holds a control character",
            "write a path of printable characters, e.g. \"/etc/kolla/clouds.yaml\"",
        );
    }
}

/// A non-empty value on one line, without control characters.
fn one_line(c: &mut Checker, value: &Spanned<String>, key: &str, what: &str) -> bool {
    let problem = if value.get_ref().is_empty() {
        "is empty"
    } else if value.get_ref().chars().any(char::is_control) {
        "is not one line of printable characters"
    } else {
        return true;
    };
    c.error(
        value.span(),
        format!("{key} {problem}"),
        format!("write {what}"),
    );
    false
}

/// The table's values; `None` when `cidr`, `gateway` or `allocation_pool`
/// was refused, so that nothing is derived in their place.
fn external_network(
    c: &mut Checker,
    raw: Spanned<RawExternalNetwork>,
) -> Option<ExternalNetworkDecl> {
    let span = raw.span();
    let raw = raw.into_inner();
    let at_table = |value: &str| Located {
        value: value.to_string(),
        span: span.clone(),
    };
    let name = raw.name.map_or_else(|| at_table(DEFAULT_NETWORK), located);
    let name_ok = neutron_name(c, &name, "name", false);
    let subnet = match raw.subnet {
        Some(subnet) => {
            let subnet = located(subnet);
            neutron_name(c, &subnet, "subnet", false);
            subnet
        }
        None => {
            let subnet = at_table(&format!("{}{SUBNET_SUFFIX}", name.value));
            // A refused `name` makes a refused default; it is said once.
            if name_ok {
                neutron_name(c, &subnet, "subnet", true);
            }
            subnet
        }
    };
    let physical_network = raw
        .physical_network
        .map_or_else(|| at_table(PHYSNETS[0]), located);
    physnet(c, &physical_network);
    let cidr = raw.cidr.as_ref().map(|v| cidr(c, v));
    let gateway = raw.gateway.as_ref().map(|v| address(c, v, "gateway"));
    let allocation_pool = raw.allocation_pool.as_ref().map(|v| pool(c, v));
    let dhcp = raw.dhcp.map_or(
        Located {
            value: false,
            span: span.clone(),
        },
        located,
    );
    let refused = matches!(cidr, Some(None))
        || matches!(gateway, Some(None))
        || matches!(allocation_pool, Some(None));
    if refused {
        return None;
    }
    Some(ExternalNetworkDecl {
        span,
        name,
        subnet,
        physical_network,
        cidr: cidr.flatten(),
        gateway: gateway.flatten(),
        allocation_pool: allocation_pool.flatten(),
        dhcp,
    })
}

/// A name Neutron stores: 1 to 255 characters, on one line. `defaulted`:
/// the subnet's name made from the network's.
fn neutron_name(c: &mut Checker, name: &Located<String>, key: &str, defaulted: bool) -> bool {
    let n = &name.value;
    let problem = if n.is_empty() {
        "is empty".to_string()
    } else if n.chars().count() > NAME_MAX {
        format!("has {} characters", n.chars().count())
    } else if n.chars().any(char::is_control) {
        "is not one line of printable characters".to_string()
    } else {
        return true;
    };
    let (message, help) = if defaulted {
        (
            format!("the subnet's default name \"<name>{SUBNET_SUFFIX}\" {problem}"),
            format!("set `{key}` to a name of 1 to {NAME_MAX} characters, or shorten `name`"),
        )
    } else {
        (
            format!("{key} {problem}"),
            format!("Neutron takes a name of 1 to {NAME_MAX} characters on one line"),
        )
    };
    c.error(name.span.clone(), message, help);
    false
}

fn physnet(c: &mut Checker, value: &Located<String>) {
    if PHYSNETS.contains(&value.value.as_str()) {
        return;
    }
    c.error(
        value.span.clone(),
        format!("physical_network \"{}\" is not supported", value.value),
        format!(
            "write \"{}\": Kolla maps physnet1 to the first neutron_bridge_name (br-ex), whose port is neutron_external_interface; other physnets are not supported by aio yet",
            PHYSNETS[0]
        ),
    );
}

fn cidr(c: &mut Checker, raw: &Spanned<String>) -> Option<Located<Ipv4Net>> {
    match raw.get_ref().parse::<Ipv4Net>() {
        Ok(net) if net.trunc() == net => Some(Located {
            value: net,
            span: raw.span(),
        }),
        Ok(net) => {
            c.error(
                raw.span(),
                format!("cidr {net} has host bits set"),
                format!("write the network: \"{}\"", net.trunc()),
            );
            None
        }
        Err(_) => {
            c.error(
                raw.span(),
                format!("cidr \"{}\" is not an IPv4 network", raw.get_ref()),
                "write an IPv4 network in CIDR form, e.g. \"10.0.2.0/24\"",
            );
            None
        }
    }
}

fn address(c: &mut Checker, raw: &Spanned<String>, key: &str) -> Option<Located<Ipv4Addr>> {
    match raw.get_ref().parse() {
        Ok(value) => Some(Located {
            value,
            span: raw.span(),
        }),
        Err(_) => {
            c.error(
                raw.span(),
                format!("{key} \"{}\" is not an IPv4 address", raw.get_ref()),
                "write an IPv4 address without prefix, e.g. \"10.0.2.2\"",
            );
            None
        }
    }
}

/// `FIRST-LAST`, in that order.
fn pool(c: &mut Checker, raw: &Spanned<String>) -> Option<Located<(Ipv4Addr, Ipv4Addr)>> {
    let text = raw.get_ref();
    let parsed = text
        .split_once('-')
        .and_then(|(a, b)| Some((a.parse::<Ipv4Addr>().ok()?, b.parse::<Ipv4Addr>().ok()?)));
    let Some((first, last)) = parsed else {
        c.error(
            raw.span(),
            format!("allocation_pool \"{text}\" is not FIRST-LAST"),
            "write two IPv4 addresses joined by `-`, e.g. \"10.0.2.128-10.0.2.254\"",
        );
        return None;
    };
    if first > last {
        c.error(
            raw.span(),
            format!("allocation_pool {text} starts after it ends"),
            format!("write the lower address first: \"{last}-{first}\""),
        );
        return None;
    }
    Some(Located {
        value: (first, last),
        span: raw.span(),
    })
}

#[cfg(test)]
#[path = "neutron_tests.rs"]
mod tests;
