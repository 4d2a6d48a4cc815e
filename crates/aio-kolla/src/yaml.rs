//! Kolla's YAML files, loaded with a bound on what aliases copy.
//!
//! yaml-rust2 copies the node an alias names at every alias (PyYAML, which
//! Kolla-Ansible uses, shares it), so a file of a few hundred bytes with
//! nested aliases (`b: [*a, *a, ...]`, `c: [*b, *b, ...]`) would expand to
//! gigabytes. The parser's events are counted first, every alias weighing
//! what it would copy; a file whose aliases would copy more than
//! [`MOST_COPIED`] bytes, or that nests deeper than [`MOST_DEPTH`] levels,
//! is refused before anything is built.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::{Yaml, YamlLoader};

/// What a node weighs besides its text: about the size of a [`Yaml`].
const NODE_BYTES: u64 = 64;
/// The most that aliases may copy, in bytes (as [`NODE_BYTES`] and text
/// count them): as much as the largest file aio reads of Kolla's.
pub const MOST_COPIED: u64 = aio_fs::Bound::KOLLA_CONFIG.most;
/// The deepest nesting read: Kolla's globals nest a few levels.
pub const MOST_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum YamlError {
    #[error(
        "line {line}: its aliases would copy more than {}, the most aio reads (a YAML alias bomb?)",
        aio_fs::shown_size(MOST_COPIED)
    )]
    AliasesCopyTooMuch { line: usize },
    #[error("line {line}: it nests deeper than {MOST_DEPTH} levels, the most aio reads")]
    TooDeep { line: usize },
}

/// The first document of `text`; `Ok(None)` when the text is not YAML (as
/// before, the caller decides what that means).
pub fn first_document(text: &str) -> Result<Option<Yaml>, YamlError> {
    if !within_bounds(text)? {
        return Ok(None);
    }
    Ok(YamlLoader::load_from_str(text)
        .ok()
        .and_then(|docs| docs.into_iter().next()))
}

/// Whether `text` parses, having counted what its aliases copy and how
/// deep it nests; an error when it is past a bound.
fn within_bounds(text: &str) -> Result<bool, YamlError> {
    let mut parser = Parser::new_from_str(text);
    // What each anchor's node weighs, aliases inside it expanded.
    let mut anchored: HashMap<usize, u64> = HashMap::new();
    // The open collections: their anchor and weight so far.
    let mut open: Vec<(usize, u64)> = Vec::new();
    let mut copied: u64 = 0;
    loop {
        let Ok((event, mark)) = parser.next_token() else {
            return Ok(false);
        };
        let line = mark.line();
        // A node that is complete: its anchor, its weight.
        let done = match event {
            Event::StreamEnd => return Ok(true),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if open.len() >= MOST_DEPTH {
                    return Err(YamlError::TooDeep { line });
                }
                open.push((anchor, NODE_BYTES));
                None
            }
            Event::SequenceEnd | Event::MappingEnd => open.pop(),
            Event::Scalar(value, _, anchor, _) => {
                Some((anchor, NODE_BYTES.saturating_add(value.len() as u64)))
            }
            Event::Alias(anchor) => {
                let weight = anchored.get(&anchor).copied().unwrap_or(NODE_BYTES);
                copied = copied.saturating_add(weight);
                if copied > MOST_COPIED {
                    return Err(YamlError::AliasesCopyTooMuch { line });
                }
                Some((0, weight))
            }
            _ => None,
        };
        if let Some((anchor, weight)) = done {
            if anchor != 0 {
                anchored.insert(anchor, weight);
            }
            if let Some((_, parent)) = open.last_mut() {
                *parent = parent.saturating_add(weight);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A "billion laughs": nine aliases a level, nine levels.
    fn bomb(levels: usize) -> String {
        let mut text = "a0: &a0 [\"lol\"]\n".to_string();
        for i in 1..=levels {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        text
    }

    #[test]
    fn an_alias_bomb_is_refused_before_anything_is_built() {
        let text = bomb(9);
        assert!(text.len() < 600, "{}", text.len());
        let err = first_document(&text).unwrap_err();
        assert!(matches!(err, YamlError::AliasesCopyTooMuch { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("aliases would copy more than 4 MiB")
        );
    }

    #[test]
    fn a_few_aliases_load_as_pyyaml_reads_them() {
        let doc = first_document("base: &b {x: 1}\nuse: *b\nlist: [*b, *b]\n")
            .unwrap()
            .unwrap();
        assert_eq!(doc["use"]["x"].as_i64(), Some(1));
        assert_eq!(doc["list"][1]["x"].as_i64(), Some(1));
        // Two levels of nine: small, read.
        assert!(first_document(&bomb(2)).unwrap().is_some());
    }

    #[test]
    fn deep_nesting_is_refused_and_broken_yaml_is_none() {
        let deep = format!(
            "{}{}",
            "[".repeat(MOST_DEPTH + 1),
            "]".repeat(MOST_DEPTH + 1)
        );
        assert!(matches!(
            first_document(&deep).unwrap_err(),
            YamlError::TooDeep { line: 1 }
        ));
        assert_eq!(first_document("a: [unclosed\n").unwrap(), None);
    }
}
