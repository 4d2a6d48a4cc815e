//! [`Short`]: text that is usually a few bytes (an attribute's name, an
//! interface's name, `up`), held inline when it fits so that it costs no
//! allocation of its own; longer text is shared.

use std::sync::Arc;

/// Bytes held inline: every attribute name and interface name (at most 15
/// bytes) fits.
const INLINE: usize = 22;

/// Text inline up to [`INLINE`] bytes, else shared. 24 bytes either way.
#[derive(Clone)]
pub(crate) enum Short {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(Arc<str>),
}

impl Short {
    pub(crate) fn new(text: &str) -> Short {
        if text.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            Short::Inline {
                len: text.len() as u8,
                bytes,
            }
        } else {
            Short::Shared(text.into())
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            // The bytes are a copy of a `&str`'s, cut at its end.
            Short::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Short::Shared(s) => s,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Short {
    /// Read from the text where it lies: short text costs no allocation.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Short, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Short;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E>(self, text: &str) -> Result<Short, E> {
                Ok(Short::new(text))
            }
        }
        d.deserialize_str(Text)
    }
}

impl PartialEq for Short {
    fn eq(&self, other: &Short) -> bool {
        self.as_str() == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_text_read_back() {
        let long = "a-name-longer-than-twenty-two-bytes";
        for text in ["", "br-ex", "é", "exactly-22-bytes-long!", long] {
            assert_eq!(Short::new(text).as_str(), text);
        }
        assert!(matches!(
            Short::new("exactly-22-bytes-long!"),
            Short::Inline { .. }
        ));
        assert!(matches!(Short::new(long), Short::Shared(_)));
        assert_eq!(std::mem::size_of::<Short>(), 24);
    }
}
