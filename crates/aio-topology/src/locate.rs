//! Where a nested key is written. serde hands `[kolla.globals]` over as
//! plain TOML values, which keep no places below the global itself; a check
//! about `octavia_amp_network.provider_segmentation_id` or a port's `tag`
//! finds its value's place by reading the file once more, with spans.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Source, Span};

/// The span of the value at `path` (table keys from the top), if the file
/// holds one there.
pub fn value_span(source: &Source, path: &[&str]) -> Option<Span> {
    let (document, _) = DeTable::parse_recoverable(source.text());
    let (first, rest) = path.split_first()?;
    let mut value = entry(document.get_ref(), first)?;
    for key in rest {
        let DeValue::Table(table) = value.get_ref() else {
            return None;
        };
        value = entry(table, key)?;
    }
    Some(value.span())
}

fn entry<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<&'t Spanned<DeValue<'i>>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_under_a_table_header_or_inline_is_found() {
        let text = "[a.b]\nc = 1718\n[a.b.d]\ne = \"x\"\n[f]\ng = { h = true }\n";
        let source = Source::new("t.toml", text);
        let at = |path: &[&str]| value_span(&source, path).map(|s| &text[s]);
        assert_eq!(at(&["a", "b", "c"]), Some("1718"));
        assert_eq!(at(&["a", "b", "d", "e"]), Some("\"x\""));
        assert_eq!(at(&["f", "g", "h"]), Some("true"));
        assert_eq!(at(&["a", "b", "nope"]), None);
        assert_eq!(at(&["a", "b", "c", "deeper"]), None);
    }
}
