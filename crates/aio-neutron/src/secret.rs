//! A value that must never be shown: a password or a token.

use std::fmt;

/// A password or token. Its `Debug` shows only that it is there; it has no
/// `Display` and no `Serialize`, so it cannot reach output, logs, errors or
/// saved plans by accident. [`Secret::expose`] is the one way to its text,
/// used where the value goes on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The text itself, for a request body or header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        let secret = Secret::new("hunter2-and-more");
        let shown = format!("{secret:?} {secret:#?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
        assert_eq!(secret.expose(), "hunter2-and-more");
    }
}
