//! The files aio writes under the config dir, rendered from the topology.
//!
//! `globals.d/aio.yml` is written by a small emitter of our own, never by string
//! pasting: a string is written plain only when it is made of safe
//! characters and no YAML 1.1 reader (Ansible loads globals with PyYAML)
//! could take it for anything else; every other string is double-quoted and
//! escaped. So a value holding `: `, `#`, quotes or a newline stays one
//! string, `"yes"`, `"~"`, `"1_000"`, `"0b101"`, `"1:20"` or `"2025-01-01"`
//! stay strings, integers stay integers, and floats always carry a `.`.

use aio_topology::{Facts, Located, MissingFact, Template};
use indexmap::IndexMap;
use std::fmt::Write as _;

pub const HEADER: &str = "\
# Written by aio from [kolla.globals] in topology.toml: aio apply rewrites this file whole.
# Kolla-Ansible reads it after globals.yml: a key set in both takes the value here.
";

/// `[kolla.globals]` as YAML, substitutions filled from `facts`.
pub fn globals(
    globals: &IndexMap<String, Located<toml::Value>>,
    facts: &Facts,
) -> Result<String, MissingFact> {
    let mut out = String::from(HEADER);
    out.push_str("---\n");
    for (key, value) in globals {
        entry(&mut out, 0, key, &resolved(&value.value, facts)?);
    }
    if globals.is_empty() {
        // Ansible refuses extra vars that are not a mapping.
        out.push_str("{}\n");
    }
    Ok(out)
}

/// `value` with every substitution filled.
fn resolved(value: &toml::Value, facts: &Facts) -> Result<toml::Value, MissingFact> {
    Ok(match value {
        toml::Value::String(s) => toml::Value::String(resolve(s, facts)?),
        toml::Value::Array(items) => toml::Value::Array(
            items
                .iter()
                .map(|v| resolved(v, facts))
                .collect::<Result<_, _>>()?,
        ),
        toml::Value::Table(t) => {
            let mut out = toml::map::Map::new();
            for (k, v) in t {
                out.insert(k.clone(), resolved(v, facts)?);
            }
            toml::Value::Table(out)
        }
        other => other.clone(),
    })
}

/// `key: value` at `indent`, nested collections in block style below it.
fn entry(out: &mut String, indent: usize, key: &str, value: &toml::Value) {
    let pad = " ".repeat(indent);
    let _ = write!(out, "{pad}{}:", key_text(key));
    nested(out, indent, value);
}

/// After `key:` or `-`: a scalar or empty collection on the same line, else
/// the collection's items on the next lines, two spaces deeper.
fn nested(out: &mut String, indent: usize, value: &toml::Value) {
    match value {
        toml::Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            for item in items {
                let _ = write!(out, "{}  -", " ".repeat(indent));
                nested(out, indent + 4, item);
            }
        }
        toml::Value::Table(t) if !t.is_empty() => {
            out.push('\n');
            for (k, v) in t {
                entry(out, indent + 2, k, v);
            }
        }
        scalar => {
            let _ = writeln!(out, " {}", scalar_text(scalar));
        }
    }
}

/// A string as YAML that reads back as that same string.
pub fn string_text(s: &str) -> String {
    if plain(s) { s.to_string() } else { quoted(s) }
}

fn scalar_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => string_text(s),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => float(*f),
        toml::Value::Boolean(b) => b.to_string(),
        // A date means nothing to Kolla: it stays the text the file had.
        toml::Value::Datetime(d) => quoted(&d.to_string()),
        toml::Value::Array(_) => "[]".into(),
        toml::Value::Table(_) => "{}".into(),
    }
}

/// A float as YAML 1.1 reads one: a `.` always, a signed exponent.
fn float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    let text = format!("{f:e}"); // e.g. 1.5e3, 1e100, -2.5e-7
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    let exp = if exp.starts_with('-') {
        exp.to_string()
    } else {
        format!("+{exp}")
    };
    format!("{mantissa}e{exp}")
}

/// A mapping key: plain when nothing could read it as another type.
fn key_text(key: &str) -> String {
    if plain(key) {
        key.to_string()
    } else {
        quoted(key)
    }
}

/// Whether `s` may be written without quotes: only letters, digits and
/// `_./-`, not starting with an indicator, and not a word, number or date
/// to a YAML 1.1 reader (nor to a YAML 1.2 one: `0o17`, `1e3`).
fn plain(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
        && !s.starts_with(['-', '.'])
        && !YAML11_WORDS.contains(&s.to_ascii_lowercase().as_str())
        && !numeric(s)
}

/// Whether a string of `[A-Za-z0-9_./-]` could be read as a number or a date.
fn numeric(s: &str) -> bool {
    let digits =
        |t: &str, radix: u32| !t.is_empty() && t.chars().all(|c| c == '_' || c.is_digit(radix));
    let lower = s.to_ascii_lowercase();
    // Integers in any base YAML 1.1 or 1.2 knows.
    for (prefix, radix) in [("0b", 2), ("0o", 8), ("0x", 16)] {
        if lower.strip_prefix(prefix).is_some_and(|t| digits(t, radix)) {
            return true;
        }
    }
    if digits(s, 10) {
        return true;
    }
    // Floats: digits, at most one `.`, an optional exponent.
    let (mantissa, exponent) = match lower.split_once('e') {
        Some((m, e)) => (m, Some(e.trim_start_matches(['+', '-']))),
        None => (lower.as_str(), None),
    };
    let float = mantissa.matches('.').count() <= 1
        && mantissa.chars().any(|c| c.is_ascii_digit())
        && mantissa
            .chars()
            .all(|c| c == '.' || c == '_' || c.is_ascii_digit())
        && exponent.is_none_or(|e| digits(e, 10));
    // Dates: YYYY-M-D...
    let date =
        s.len() >= 8 && s[..4].chars().all(|c| c.is_ascii_digit()) && s.as_bytes()[4] == b'-';
    float || date
}

/// Words YAML 1.1 reads as booleans or null.
const YAML11_WORDS: [&str; 12] = [
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "nan", "inf",
];

/// A double-quoted YAML string, every character a YAML reader could take
/// otherwise escaped.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || ('\u{7f}'..='\u{9f}').contains(&c) => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A string with `${...}` filled; the topology was validated, so it parses.
fn resolve(s: &str, facts: &Facts) -> Result<String, MissingFact> {
    Template::parse(s).map_or_else(|_| Ok(s.to_string()), |t| t.resolve(facts))
}

/// One INI file: `[SECTION]` then `key = value` lines, in file order.
pub fn ini(sections: &IndexMap<String, IndexMap<String, toml::Value>>) -> String {
    let mut out = String::from(
        "# Written by aio from [kolla.config] in topology.toml: aio apply rewrites this file whole.\n",
    );
    for (section, keys) in sections {
        let _ = writeln!(out, "\n[{section}]");
        for (key, value) in keys {
            let text = match value {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let _ = writeln!(out, "{key} = {text}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn located(v: toml::Value) -> Located<toml::Value> {
        Located {
            value: v,
            span: 0..0,
        }
    }

    #[test]
    fn awkward_strings_stay_one_string_and_yes_stays_a_string() {
        let mut g = IndexMap::new();
        g.insert(
            "a".to_string(),
            located(toml::Value::String("x: y # z\nw: injected".into())),
        );
        g.insert("b".to_string(), located(toml::Value::String("yes".into())));
        g.insert(
            "c".to_string(),
            located(toml::Value::String("{{ jinja }}".into())),
        );
        g.insert(
            "d".to_string(),
            located(toml::Value::String("${uplink}".into())),
        );
        let facts = Facts {
            uplink: Some("eth0".into()),
            ..Facts::default()
        };
        let text = globals(&g, &facts).unwrap();
        let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap();
        let doc = &docs[0];
        assert_eq!(doc["a"].as_str(), Some("x: y # z\nw: injected"));
        assert!(doc["w"].is_badvalue(), "a key was injected:\n{text}");
        assert!(text.contains("b: \"yes\""), "{text}");
        assert_eq!(doc["c"].as_str(), Some("{{ jinja }}"));
        assert_eq!(doc["d"].as_str(), Some("eth0"));
    }
}
