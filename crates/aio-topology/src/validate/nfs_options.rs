//! An export's exports(5) options: each one known, with a valid value,
//! none twice, no two that say the opposite; and the options the other
//! rules of `[nfs]` look at (`no_root_squash`, `rw` for Cinder's share).

use toml::Spanned;

use super::Checker;
use crate::diag::Span;
use crate::model::Located;
use crate::vocabulary::nfs::{DEFAULT_OPTIONS, FLAGS, ID_MAX, OPPOSITES, SEC_FLAVORS, VALUED};

/// The options as written (those refused left out), or the default ones
/// located at the export's path.
pub(crate) fn check(
    c: &mut Checker,
    raw: Option<&Spanned<Vec<Spanned<String>>>>,
    path_span: &Span,
) -> Vec<Located<String>> {
    let Some(raw) = raw else {
        return DEFAULT_OPTIONS
            .iter()
            .map(|o| Located {
                value: o.to_string(),
                span: path_span.clone(),
            })
            .collect();
    };
    let mut out: Vec<Located<String>> = Vec::new();
    for option in raw.get_ref() {
        if !known(c, option) {
            continue;
        }
        let name = option_name(option.get_ref());
        if out.iter().any(|o| option_name(&o.value) == name) {
            c.error(
                option.span(),
                format!("option \"{name}\" is given twice"),
                "remove one",
            );
            continue;
        }
        let opposite = OPPOSITES
            .iter()
            .find_map(|(a, b)| (name == *a).then_some(*b).or((name == *b).then_some(*a)));
        if let Some(other) = opposite.filter(|o| out.iter().any(|e| e.value == *o)) {
            c.error(
                option.span(),
                format!("options \"{other}\" and \"{name}\" say the opposite"),
                "keep one of them",
            );
            continue;
        }
        out.push(Located {
            value: option.get_ref().clone(),
            span: option.span(),
        });
    }
    out
}

/// `anonuid=0` is named `anonuid`; a flag is its own name.
fn option_name(option: &str) -> &str {
    option.split_once('=').map_or(option, |(name, _)| name)
}

/// A flag of exports(5), or `NAME=VALUE` with a value it takes.
fn known(c: &mut Checker, option: &Spanned<String>) -> bool {
    let text = option.get_ref();
    let Some((name, value)) = text.split_once('=') else {
        if FLAGS.contains(&text.as_str()) {
            return true;
        }
        unknown(c, option);
        return false;
    };
    let help = match VALUED.iter().find(|(n, _)| *n == name) {
        None => {
            unknown(c, option);
            return false;
        }
        Some((_, form)) => {
            let ok = match name {
                "anonuid" | "anongid" => value.parse::<u32>().is_ok_and(|n| n <= ID_MAX),
                "fsid" => value == "root" || value.parse::<u32>().is_ok() || is_uuid(value),
                _ => sec_flavors(value),
            };
            if ok {
                return true;
            }
            match name {
                "anonuid" | "anongid" => format!("write {name}={form} with {form} from 0 to {ID_MAX}"),
                "fsid" => "write fsid=N (a number), fsid=root or fsid=UUID (32 hex digits, `-` allowed between)".to_string(),
                _ => format!(
                    "write sec= and flavors among {} joined by `:`, each once",
                    SEC_FLAVORS.join(", ")
                ),
            }
        }
    };
    c.error(
        option.span(),
        format!("option \"{text}\" has an invalid value \"{value}\""),
        help,
    );
    false
}

fn unknown(c: &mut Checker, option: &Spanned<String>) {
    let forms: Vec<String> = VALUED.iter().map(|(n, f)| format!("{n}={f}")).collect();
    let known: Vec<&str> = FLAGS
        .iter()
        .copied()
        .chain(forms.iter().map(String::as_str))
        .collect();
    c.one_of("exports(5) option", option, &known);
}

/// 32 hex digits, `-` allowed between.
fn is_uuid(value: &str) -> bool {
    let digits: Vec<char> = value.chars().filter(|ch| *ch != '-').collect();
    digits.len() == 32
        && digits.iter().all(char::is_ascii_hexdigit)
        && !value.starts_with('-')
        && !value.ends_with('-')
}

/// Known flavors joined by `:`, none twice.
fn sec_flavors(value: &str) -> bool {
    let flavors: Vec<&str> = value.split(':').collect();
    flavors.iter().all(|f| SEC_FLAVORS.contains(f))
        && flavors
            .iter()
            .enumerate()
            .all(|(i, f)| !flavors[..i].contains(f))
}

/// `no_root_squash` with a client that is every host: any host's root
/// would be root on the export. Refused even with `any_client = true`.
pub(crate) fn no_root_squash_for_every_host(
    c: &mut Checker,
    options: &[Located<String>],
    client: &Located<String>,
    path: &str,
) {
    if let Some(option) = options.iter().find(|o| o.value == "no_root_squash") {
        c.error(
            option.span.clone(),
            format!(
                "no_root_squash with client \"{}\" makes any host's root root on {path}",
                client.value
            ),
            "drop no_root_squash, or name the clients (the host itself is \"${uplink_address}\")",
        );
    }
}

/// Cinder's share is written: `rw`, which exports(5) does not default to.
pub(crate) fn writable_for_cinder(
    c: &mut Checker,
    options: &[Located<String>],
    raw: Option<&Spanned<Vec<Spanned<String>>>>,
    path: &str,
) {
    if let Some(ro) = options.iter().find(|o| o.value == "ro") {
        c.error(
            ro.span.clone(),
            format!("Cinder's share {path} is exported read-only"),
            "write \"rw\" in place of \"ro\": cinder-volume writes its volumes there",
        );
    } else if let Some(raw) = raw.filter(|_| !options.iter().any(|o| o.value == "rw")) {
        c.error(
            raw.span(),
            format!(
                "Cinder's share {path} is exported read-only: exports(5) makes an export without \"rw\" read-only"
            ),
            "add \"rw\" to options: cinder-volume writes its volumes there",
        );
    }
}

#[cfg(test)]
#[path = "nfs_options_tests.rs"]
mod tests;
