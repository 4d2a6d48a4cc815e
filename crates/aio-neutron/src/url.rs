//! Paths and queries with their parts percent-encoded (a name or tag may
//! hold any character).

/// Each of `segments` encoded, joined with `/`, with a leading `/`.
pub(crate) fn path(segments: &[&str]) -> String {
    segments.iter().map(|s| format!("/{}", encode(s))).collect()
}

/// `?k=v&...`, encoded; empty for no pairs.
pub(crate) fn query(pairs: &[(&str, &str)]) -> String {
    let joined: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    if joined.is_empty() {
        String::new()
    } else {
        format!("?{}", joined.join("&"))
    }
}

/// RFC 3986's unreserved characters as they are, every other byte `%XX`.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_encoded() {
        assert_eq!(
            path(&["networks", "a b/c", "tags", "aio:owned"]),
            "/networks/a%20b%2Fc/tags/aio%3Aowned"
        );
        assert_eq!(
            query(&[("name", "public1"), ("tags", "x&y=z")]),
            "?name=public1&tags=x%26y%3Dz"
        );
        assert_eq!(query(&[]), "");
        assert_eq!(path(&["é"]), "/%C3%A9");
    }
}
