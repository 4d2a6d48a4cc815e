//! TOML text to [`RawTopology`], turning the toml crate's errors into located,
//! explained diagnostics (unknown keys get the closest known key suggested).

use crate::diag::{Diagnostic, Source};
use crate::raw::RawTopology;

pub fn parse(source: &Source) -> Result<RawTopology, Diagnostic> {
    toml::from_str(source.text()).map_err(|e| explain(source, &e))
}

fn explain(source: &Source, err: &toml::de::Error) -> Diagnostic {
    let span = err.span().unwrap_or(0..0);
    let message = err.message().trim();
    let first = message.lines().next().unwrap_or("invalid TOML");
    if let Some(rest) = first.strip_prefix("unknown field ") {
        let mut names = backticked(rest);
        let unknown = if names.is_empty() {
            String::new()
        } else {
            names.remove(0)
        };
        let known: Vec<&str> = names.iter().map(String::as_str).collect();
        let help = match closest(&unknown, &known) {
            Some(best) => format!(
                "did you mean `{best}`? known keys here: {}",
                known.join(", ")
            ),
            None => format!("known keys here: {}", known.join(", ")),
        };
        return Diagnostic::new(span, format!("unknown key `{unknown}`")).help(help);
    }
    if first == "duplicate key" {
        let key = source.slice(&span).trim_matches('"');
        return Diagnostic::new(span.clone(), format!("`{key}` is defined twice"))
            .help("keep one definition and merge the keys of both into it");
    }
    if let Some(rest) = first.strip_prefix("missing field ") {
        let field = backticked(rest).pop().unwrap_or_default();
        return Diagnostic::new(span, format!("missing required key `{field}`"))
            .help(format!("add `{field} = ...` to this table"));
    }
    if let Some((found, expected)) = first
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.split_once(", expected "))
    {
        let key = key_at(source, span.start).unwrap_or_else(|| "this value".into());
        return Diagnostic::new(
            span,
            format!("`{key}` must be {}, found {found}", plain(expected)),
        )
        .help(format!("write `{key}` as {}", plain(expected)));
    }
    let rest: Vec<&str> = message
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let diagnostic = Diagnostic::new(span, format!("invalid TOML: {first}"));
    if rest.is_empty() {
        diagnostic
    } else {
        diagnostic.help(rest.join("; "))
    }
}

/// serde's type names, in the words of the format reference.
fn plain(expected: &str) -> &str {
    match expected {
        "a sequence" => "an array",
        "i64" | "u16" | "u32" | "i32" => "an integer",
        "a string" => "a string",
        "a map" | "struct" => "a table",
        other if other.starts_with("struct ") => "a table",
        other => other,
    }
}

/// The words between backticks, in order.
fn backticked(s: &str) -> Vec<String> {
    s.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The key of the `key = value` line that holds `offset`.
fn key_at(source: &Source, offset: usize) -> Option<String> {
    let line = source.line_text(offset);
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

/// The known word most like `word`, if any is close enough to be a likely typo.
pub fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(word, k), *k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> Diagnostic {
        parse(&Source::new("t.toml", text))
            .err()
            .expect("must fail")
    }

    #[test]
    fn unknown_key_suggests_closest() {
        let d = err("version = 1\n[interfaces.d]\nadress = []\n");
        assert_eq!(d.message, "unknown key `adress`");
        assert!(d.help.unwrap().starts_with("did you mean `addresses`?"));
    }

    #[test]
    fn wrong_type_names_the_key() {
        let d = err("version = 1\n[interfaces.d]\nmtu = \"big\"\n");
        assert_eq!(d.message, "`mtu` must be an integer, found string \"big\"");
    }

    #[test]
    fn duplicate_table_names_the_key() {
        let d = err("version = 1\n[interfaces.d]\n[interfaces.d]\n");
        assert_eq!(d.message, "`d` is defined twice");
    }
}
