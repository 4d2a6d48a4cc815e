//! A provider's fuller account of a change, as data: plain words, or lines
//! each saying what they are (added, removed, changed, context), so that
//! whoever shows it styles a line by its kind and never by its first
//! characters.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a provider says of a change beyond its attributes.
///
/// In a plan's document it is a string ([`Detail::Text`]) or an array of
/// `{kind, text}` ([`Detail::Diff`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Detail {
    /// Words, one or more lines, with nothing to tell apart.
    Text(String),
    /// Lines of a difference, each with its kind.
    Diff(Vec<DetailLine>),
}

/// One line of a [`Detail::Diff`]: its text as shown, whole, and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailLine {
    pub kind: LineKind,
    pub text: String,
}

/// What a line of a difference is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    /// Something that will be there and is not now (`+ globals: enable_cinder: "yes"`).
    Added,
    /// Something that is there now and will not be.
    Removed,
    /// Something whose value changes (`~ globals: horizon_port: 8080 -> 8081`).
    Changed,
    /// A file's name heading its lines (`--- a`, `+++ b`).
    Header,
    /// Where in a file the lines that follow are (`@@ -10,3 +10,3 @@`).
    Hunk,
    /// Words that change nothing by themselves: unchanged lines, what runs.
    Context,
}

impl DetailLine {
    pub fn new(kind: LineKind, text: impl Into<String>) -> Self {
        DetailLine {
            kind,
            text: text.into(),
        }
    }
}

impl Detail {
    /// The lines as shown, each with its kind (a text's lines are context).
    pub fn lines(&self) -> Vec<(LineKind, &str)> {
        match self {
            Detail::Text(text) => text.lines().map(|l| (LineKind::Context, l)).collect(),
            Detail::Diff(lines) => lines.iter().map(|l| (l.kind, l.text.as_str())).collect(),
        }
    }
}

impl From<&str> for Detail {
    fn from(text: &str) -> Self {
        Detail::Text(text.to_string())
    }
}

impl From<String> for Detail {
    fn from(text: String) -> Self {
        Detail::Text(text)
    }
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Detail::Text(text) => f.write_str(text),
            Detail::Diff(lines) => {
                for (i, line) in lines.iter().enumerate() {
                    if i > 0 {
                        f.write_str("\n")?;
                    }
                    f.write_str(&line.text)?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff() -> Detail {
        Detail::Diff(vec![
            DetailLine::new(LineKind::Changed, "~ globals: horizon_port: 8080 -> 8081"),
            DetailLine::new(LineKind::Added, "+ globals: enable_cinder: \"yes\""),
            DetailLine::new(LineKind::Context, "actions: deploy"),
        ])
    }

    #[test]
    fn a_diff_shows_its_lines_in_order_and_keeps_their_kinds() {
        let d = diff();
        assert_eq!(
            d.to_string(),
            "~ globals: horizon_port: 8080 -> 8081\n+ globals: enable_cinder: \"yes\"\nactions: deploy"
        );
        let kinds: Vec<LineKind> = d.lines().into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            kinds,
            [LineKind::Changed, LineKind::Added, LineKind::Context]
        );
    }

    #[test]
    fn words_are_context_whatever_they_start_with() {
        let d = Detail::from("- not a removal\n+ nor an addition");
        assert_eq!(
            d.lines(),
            [
                (LineKind::Context, "- not a removal"),
                (LineKind::Context, "+ nor an addition")
            ]
        );
    }

    #[test]
    fn in_a_document_words_are_a_string_and_a_diff_is_kinds_and_texts() {
        let text = Detail::from("value: 0 -> 1");
        assert_eq!(
            serde_json::to_value(&text).unwrap(),
            serde_json::json!("value: 0 -> 1")
        );
        let doc = serde_json::to_value(diff()).unwrap();
        assert_eq!(
            doc[1],
            serde_json::json!({"kind": "added", "text": "+ globals: enable_cinder: \"yes\""})
        );
        assert_eq!(serde_json::from_value::<Detail>(doc).unwrap(), diff());
        assert_eq!(
            serde_json::from_value::<Detail>(serde_json::json!("words")).unwrap(),
            Detail::from("words")
        );
        let unknown = serde_json::json!([{"kind": "exploded", "text": "x"}]);
        assert!(serde_json::from_value::<Detail>(unknown).is_err());
    }
}
