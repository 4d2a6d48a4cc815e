//! How an attribute's value is written: strings bare, `null` as `none`,
//! and, unless `-v`, cut short when long.

use aio_engine::AttrValue;

use aio_engine::Attrs;

/// Values longer than this (in characters) are cut short in a plan's lines.
pub const LONGEST_VALUE: usize = 80;

/// `text` cut to [`LONGEST_VALUE`] characters, if it is longer.
pub fn cut(text: &str) -> Option<String> {
    if text.chars().count() <= LONGEST_VALUE {
        return None;
    }
    let head: String = text.chars().take(LONGEST_VALUE - 1).collect();
    Some(format!("{head}…"))
}

/// `v` as a person reads it, cut short unless `whole`.
pub fn shown(v: &AttrValue, whole: bool) -> String {
    let text = v.plain();
    match cut(&text) {
        Some(short) if !whole => short,
        _ => text,
    }
}

/// `key=value, ...`, leaving out values the resource's name already shows
/// (`link/br0` needs no `name=br0`).
pub fn inline(attrs: &Attrs, name: &str, whole: bool) -> String {
    let in_name = |v: &str| {
        name == v || name.starts_with(&format!("{v}/")) || name.ends_with(&format!("/{v}"))
    };
    attrs
        .iter()
        .map(|(k, v)| (k, shown(v, whole)))
        .filter(|(_, v)| !in_name(v))
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn what_the_name_shows_is_not_repeated() {
        let attrs = json!({"interface": "dummy1", "address": "10.0.2.2/24", "state": "up"});
        let shown = inline(
            &Attrs::from_value(attrs).unwrap(),
            "dummy1/10.0.2.2/24",
            false,
        );
        assert_eq!(shown, "state=up");
    }

    #[test]
    fn long_values_are_cut_unless_whole() {
        let long = AttrValue::from("a".repeat(200));
        assert_eq!(shown(&long, false).chars().count(), LONGEST_VALUE);
        assert_eq!(shown(&long, true).len(), 200);
    }
}
