//! TOML text to [`RawTopology`], turning the toml crate's errors into located,
//! explained diagnostics (unknown keys get the closest known key suggested).
//!
//! serde stops at the first error; a user wants them all. So [`parse_all`]
//! takes the entry (or, for a table header, the whole table) that an error
//! is about out of the text, blanked with spaces so every offset stays
//! where it was, and parses again, until the rest parses or an error
//! cannot be taken out (a syntax error, a missing key).

use crate::diag::{Diagnostic, Source, Span};
use crate::raw::RawTopology;
use crate::suggest::closest;

/// How many errors one file may report before aio stops looking.
const MAX_ERRORS: usize = 100;

/// The file's raw structure, once every structural error has been taken
/// out, and those errors; `None` when what is left still cannot be read.
pub fn parse_all(source: &Source) -> (Option<RawTopology>, Vec<Diagnostic>) {
    let mut text = source.text().to_string();
    let mut diags: Vec<Diagnostic> = Vec::new();
    // Keys taken out: a "missing key" about one of them is their echo.
    let mut blanked: Vec<String> = Vec::new();
    while diags.len() < MAX_ERRORS {
        let err = match toml::from_str::<RawTopology>(&text) {
            Ok(raw) => return (Some(raw), diags),
            Err(e) => e,
        };
        let diagnostic = explain(source, &err);
        if let Some(missing) = diagnostic.message.strip_prefix("missing required key ")
            && blanked.iter().any(|k| format!("`{k}`") == missing)
        {
            break;
        }
        if let Some(key) = err.span().and_then(|s| key_at(source, s.start)) {
            blanked.push(key);
        }
        let region = removable(&err).and_then(|span| entry_region(&text, &span));
        diags.push(diagnostic);
        match region {
            Some(r) if text[r.clone()].bytes().any(|b| !b.is_ascii_whitespace()) => {
                blank(&mut text, r);
            }
            _ => break,
        }
    }
    (None, diags)
}

/// The span of an error whose entry can be taken out to look further.
fn removable(err: &toml::de::Error) -> Option<Span> {
    let first = err.message().lines().next().unwrap_or("");
    let kinds = [
        "unknown field",
        "invalid type",
        "invalid value",
        "unknown variant",
        "duplicate key",
        "invalid length",
    ];
    kinds
        .iter()
        .any(|k| first.starts_with(k))
        .then(|| err.span())
        .flatten()
}

/// The text an error at `span` is about: from its line's start to the end
/// of the value there (arrays, inline tables and multi-line strings
/// included); for a table header, the whole table.
fn entry_region(text: &str, span: &Span) -> Option<Span> {
    let start = text[..span.start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = &text[start..];
    if line.trim_start().starts_with('[') {
        // Up to the next header.
        let mut end = start + line.find('\n').map_or(line.len(), |i| i + 1);
        while end < text.len() {
            let next = &text[end..];
            if next.trim_start().starts_with('[') {
                break;
            }
            end += next.find('\n').map_or(next.len(), |i| i + 1);
        }
        return Some(start..end);
    }
    let eq = start + line.find('=')?;
    Some(start..value_end(text, eq + 1).max(span.end.min(text.len())))
}

/// Where the TOML value starting at `from` ends (the end of its last line).
/// Read as bytes: every position it returns is a line's end or the text's.
fn value_end(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, from);
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"\"\"\"") || rest.starts_with(b"'''") {
            i = multi_line_end(bytes, i + 3, rest[0]);
            continue;
        }
        match bytes[i] {
            quote @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
                    // Only a basic string has escapes.
                    i += if quote == b'"' && bytes[i] == b'\\' {
                        2
                    } else {
                        1
                    };
                }
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' if depth == 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    text.len()
}

/// Past the closing quotes of a multi-line string whose text starts at
/// `from`: three `quote`s (and up to two more, which belong to the text),
/// not escaped in a basic string.
fn multi_line_end(bytes: &[u8], from: usize, quote: u8) -> usize {
    let mut i = from;
    while i < bytes.len() {
        if quote == b'"' && bytes[i] == b'\\' {
            i += 2;
        } else if bytes[i..].starts_with(&[quote; 3]) {
            i += 3;
            while i < bytes.len() && bytes[i] == quote {
                i += 1;
            }
            return i;
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// Replaces `region` with spaces, newlines kept: offsets do not move.
fn blank(text: &mut String, region: Span) {
    let blanked: String = text[region.clone()]
        .chars()
        .flat_map(|c| {
            let n = if c == '\n' { 0 } else { c.len_utf8() };
            std::iter::repeat_n(' ', n).chain((c == '\n').then_some('\n'))
        })
        .collect();
    text.replace_range(region, &blanked);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The first error of `text`.
    fn err(text: &str) -> Diagnostic {
        let (_, mut diags) = parse_all(&Source::new("t.toml", text));
        assert!(!diags.is_empty(), "must fail");
        diags.remove(0)
    }

    #[test]
    fn an_entry_with_escaped_quotes_and_wide_characters_is_taken_out_whole() {
        // A multi-line string with an escaped quote before two more, then
        // a character of several bytes: valid TOML, in an unknown key.
        let text = "version = 1\n[host]\nbogus = \"\"\"x\\\"\"\"é\"\"\"\nuplnk = \"é\"\n";
        let (_, diags) = parse_all(&Source::new("t.toml", text));
        let said: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(said, ["unknown key `bogus`", "unknown key `uplnk`"]);
        for (open, value) in [("'''", "a'''é'''"), ("\"", "\"é\\\"é\"")] {
            let text = format!("version = 1\n[host]\nbogus = {value}\nmtu = {open}\n");
            let (_, diags) = parse_all(&Source::new("t.toml", text.as_str()));
            assert!(!diags.is_empty(), "{text}");
        }
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
    fn every_structural_error_of_the_file_comes_at_once() {
        let text = "version = 1\n[interfaces.d]\nadress = [\n  \"x\",\n]\nmtu = \"big\"\n[ovs]\nbd = 1\n[nope]\na = 1\n[interfaces.e]\ntype = \"bridge\"\n";
        let (raw, diags) = parse_all(&Source::new("t.toml", text));
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].contains("adress"), "{messages:?}");
        assert!(raw.is_some_and(|r| r.interfaces.is_some_and(|i| i.len() == 2)));
    }

    #[test]
    fn a_key_taken_out_for_its_type_is_not_reported_missing_too() {
        let text = "version = 1\n[[nat]]\nsource = 5\nout = \"eth0\"\n";
        let (_, diags) = parse_all(&Source::new("t.toml", text));
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages, ["`source` must be a string, found integer `5`"]);
    }

    #[test]
    fn duplicate_table_names_the_key() {
        let d = err("version = 1\n[interfaces.d]\n[interfaces.d]\n");
        assert_eq!(d.message, "`d` is defined twice");
    }
}
