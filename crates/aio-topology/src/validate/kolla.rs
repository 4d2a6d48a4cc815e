//! `[kolla]`: the deployment's settings, globals and INI overrides.

use indexmap::IndexMap;
use std::path::{Component, Path};
use toml::Spanned;

use super::Checker;
use crate::model::{Kolla, KollaSpans, Located, Vip};
use crate::raw::{Map, RawKolla};
use crate::vocabulary::kolla::ACTIONS;

pub const DEFAULT_PACKAGE: &str = "kolla-ansible>=20,<21";
pub const DEFAULT_VENV: &str = "/opt/aio/kolla";
pub const DEFAULT_CONFIG_DIR: &str = "/etc/kolla";
pub const DEFAULT_INVENTORY: &str = "all-in-one";
pub const DEFAULT_ACTIONS: [&str; 5] = [
    "bootstrap-servers",
    "prechecks",
    "octavia-certificates",
    "deploy",
    "post-deploy",
];

pub(crate) fn check(c: &mut Checker, raw: RawKolla) -> Option<Kolla> {
    let text = |v: Option<Spanned<String>>, default: &str| {
        v.map_or(default.to_string(), Spanned::into_inner)
    };
    for dir in [&raw.venv, &raw.config_dir].into_iter().flatten() {
        if !dir.get_ref().starts_with('/') {
            c.error(
                dir.span(),
                format!("\"{}\" is not an absolute path", dir.get_ref()),
                "write a path from /",
            );
        } else if dir.get_ref().chars().any(char::is_control) {
            c.error(
                dir.span(),
                "the path holds a control character",
                "write a path of printable characters: it goes into the inventory and onto kolla-ansible's command line",
            );
        }
    }
    if let Some(package) = &raw.package {
        requirement(c, package);
    }
    if let Some(inventory) = &raw.inventory {
        inventory_name(c, inventory);
    }
    let vip = vip(c, &raw.vip);
    let default_span = raw.vip.span();
    let mut spans = KollaSpans {
        venv: raw
            .venv
            .as_ref()
            .map_or(default_span.clone(), Spanned::span),
        config_dir: raw
            .config_dir
            .as_ref()
            .map_or(default_span.clone(), Spanned::span),
        actions: match &raw.actions {
            Some(list) => list.iter().map(Spanned::span).collect(),
            None => vec![default_span.clone(); DEFAULT_ACTIONS.len()],
        },
        config: IndexMap::new(),
    };
    let mut actions = Vec::new();
    for a in raw.actions.as_ref().map_or(&[][..], Vec::as_slice) {
        if a.get_ref() == "destroy" {
            c.error(
                a.span(),
                "\"destroy\" is not a deployment action",
                "use `aio destroy`; it asks before removing Kolla's containers",
            );
        } else if let Some(known) = c.one_of("kolla-ansible action", a, &ACTIONS) {
            actions.push(known.to_string());
        }
    }
    if raw.actions.is_none() {
        actions = DEFAULT_ACTIONS.map(str::to_string).to_vec();
    }
    let globals = globals(c, raw.globals.unwrap_or_default());
    let config = config(c, raw.config.unwrap_or_default(), &mut spans.config);
    Some(Kolla {
        package: text(raw.package, DEFAULT_PACKAGE),
        venv: text(raw.venv, DEFAULT_VENV),
        config_dir: text(raw.config_dir, DEFAULT_CONFIG_DIR),
        inventory: text(raw.inventory, DEFAULT_INVENTORY),
        vip: vip?,
        actions,
        globals,
        config,
        spans,
    })
}

/// `package` is handed to pip: a PEP 508 requirement, never an option or a file.
fn requirement(c: &mut Checker, package: &Spanned<String>) {
    let p = package.get_ref();
    let name_ok = p
        .chars()
        .next()
        .is_some_and(|ch| ch.is_ascii_alphanumeric());
    let chars_ok = p
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || " ._-[],<>=!~*;:'\"()@/+".contains(ch));
    if !name_ok || !chars_ok {
        c.error(
            package.span(),
            format!("package \"{p}\" is not a pip requirement"),
            "write a requirement such as \"kolla-ansible>=20,<21\": a project name first, never an option (`-r`, `--index-url`) or a path",
        );
    } else if crate::secret::is_secret_value(p) {
        // Not echoed: it would show what it warns about.
        c.error(
            package.span(),
            "package's URL carries a credential, which plans, logs and aio's state would show",
            "leave it out of the URL (`name @ git+https://host/repo`): pip reads it from ~/.netrc or a keyring",
        );
    }
}

/// `inventory` is a shipped inventory's name or an absolute path, never an option.
fn inventory_name(c: &mut Checker, inventory: &Spanned<String>) {
    let i = inventory.get_ref();
    let shipped = !i.is_empty()
        && !i.starts_with(['-', '.'])
        && i.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch));
    let path = i.starts_with('/') && !i.chars().any(char::is_control);
    if !shipped && !path {
        c.error(
            inventory.span(),
            format!("inventory \"{i}\" is neither a shipped inventory's name nor an absolute path"),
            "write \"all-in-one\" (kolla-ansible's own) or a path from /",
        );
    }
}

fn vip(c: &mut Checker, raw: &Spanned<String>) -> Option<Located<Vip>> {
    let value = if raw.get_ref() == "auto" {
        Vip::Auto
    } else if let Ok(addr) = raw.get_ref().parse() {
        Vip::Address(addr)
    } else {
        c.error(
            raw.span(),
            format!("vip \"{}\" is not an IPv4 address", raw.get_ref()),
            "write \"auto\" or an IPv4 address on the uplink's subnet, e.g. \"192.0.2.200\"",
        );
        return None;
    };
    Some(Located {
        value,
        span: raw.span(),
    })
}

fn globals(
    c: &mut Checker,
    raw: Map<Spanned<toml::Value>>,
) -> IndexMap<String, Located<toml::Value>> {
    let mut out = IndexMap::new();
    for (key, value) in raw {
        check_templates(c, &value, value.get_ref());
        out.insert(
            key.get_ref().clone(),
            Located {
                span: value.span(),
                value: value.into_inner(),
            },
        );
    }
    out
}

/// Every string leaf of `value` must hold only known substitutions.
fn check_templates(c: &mut Checker, at: &Spanned<toml::Value>, value: &toml::Value) {
    match value {
        toml::Value::String(s) => {
            c.template(&Spanned::new(at.span(), s.clone()));
        }
        toml::Value::Array(items) => items.iter().for_each(|v| check_templates(c, at, v)),
        toml::Value::Table(t) => t.values().for_each(|v| check_templates(c, at, v)),
        _ => {}
    }
}

type IniFiles = IndexMap<String, IndexMap<String, IndexMap<String, toml::Value>>>;

/// Where each value is written, by (path, section, key).
type ValueSpans = IndexMap<(String, String, String), crate::diag::Span>;

fn config(
    c: &mut Checker,
    raw: Map<Map<Map<Spanned<toml::Value>>>>,
    spans: &mut ValueSpans,
) -> IniFiles {
    let mut out = IniFiles::new();
    for (path, sections) in raw {
        let p = Path::new(path.get_ref());
        if path.get_ref().is_empty()
            || !p
                .components()
                .all(|comp| matches!(comp, Component::Normal(_)))
        {
            c.error(
                path.span(),
                format!(
                    "config path \"{}\" leaves <config_dir>/config",
                    path.get_ref()
                ),
                "write a relative path without `..`, e.g. \"neutron/ml2_conf.ini\"",
            );
            continue;
        }
        let mut file = IndexMap::new();
        for (section, keys) in sections {
            if section.get_ref().is_empty()
                || section.get_ref().contains([']', '['])
                || section.get_ref().chars().any(char::is_control)
            {
                c.error(
                    section.span(),
                    format!("\"{}\" cannot be an INI section name", section.get_ref()),
                    "use a name without `[`, `]` or control characters",
                );
            }
            let mut entries = IndexMap::new();
            for (key, value) in keys {
                ini_entry(c, &key, &value);
                let at = (
                    path.get_ref().clone(),
                    section.get_ref().clone(),
                    key.get_ref().clone(),
                );
                spans.insert(at, value.span());
                entries.insert(key.into_inner(), value.into_inner());
            }
            file.insert(section.into_inner(), entries);
        }
        out.insert(path.into_inner(), file);
    }
    out
}

fn ini_entry(c: &mut Checker, key: &Spanned<String>, value: &Spanned<toml::Value>) {
    let k = key.get_ref();
    if k.is_empty()
        || k.contains(['=', '[', ']', ';', '#'])
        || k.chars().any(char::is_control)
        || k.trim() != k
    {
        c.error(
            key.span(),
            format!("\"{k}\" cannot be an INI key"),
            "use a key without `=`, `[`, `]`, `;`, `#`, control characters or outer spaces",
        );
    }
    let ok = match value.get_ref() {
        // A carriage return or any control character would start a new
        // line (and so a section) for Kolla's merge_configs.
        toml::Value::String(s) => !s.chars().any(char::is_control),
        toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_) => true,
        _ => false,
    };
    if !ok {
        c.error(
            value.span(),
            format!("the value of \"{k}\" cannot be written as INI"),
            "use a one-line string without control characters, a number or a boolean",
        );
    }
}

#[cfg(test)]
#[path = "kolla_tests.rs"]
mod tests;
