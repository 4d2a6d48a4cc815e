//! Framing of the JSON-RPC stream.
//!
//! OVSDB sends JSON values back to back with no delimiter or length prefix,
//! and a read returns whatever the socket had: part of a message, or several.
//! The [`Decoder`] keeps the bytes it has been given and hands out each
//! complete value; the incomplete tail waits for the next read. A JSON-RPC
//! message is always an object, so "complete" is never ambiguous (a bare
//! number at the end of the buffer could still grow, an object cannot).
//!
//! A message may be at most [`MAX_MESSAGE`] bytes: a peer that sends more
//! without completing one is refused, so it cannot make aio buffer without
//! end (the whole `Open_vSwitch` database of a large host is a few MiB).

/// The largest message aio takes from an OVSDB server.
pub const MAX_MESSAGE: usize = 16 << 20;

use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use serde_json::value::RawValue;

/// The most room the buffer keeps between messages.
const KEPT: usize = 256 << 10;

/// Bytes that are not a JSON-RPC message.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("a JSON-RPC message of the wrong shape: {0}")]
    Shape(serde_json::Error),
    #[error("a JSON-RPC message must be an object, got {0}")]
    NotAnObject(String),
    #[error("a message larger than {} MiB", MAX_MESSAGE >> 20)]
    TooLarge,
}

#[derive(Debug, Default)]
pub struct Decoder {
    buffer: Vec<u8>,
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Adds bytes read from the stream and returns the messages they
    /// complete, in order.
    pub fn decode(&mut self, bytes: &[u8]) -> Result<Vec<Json>, CodecError> {
        self.decode_as(bytes)
    }

    /// [`Decoder::decode`], each message read straight into a `T`: a large
    /// response becomes the caller's types without a [`Json`] tree between.
    pub fn decode_as<T: DeserializeOwned>(&mut self, bytes: &[u8]) -> Result<Vec<T>, CodecError> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() > MAX_MESSAGE {
            self.buffer = Vec::new();
            return Err(CodecError::TooLarge);
        }
        // An object can only end at a `}`: without one in the new bytes, the
        // message waiting is still cut short (no need to parse it again).
        if !bytes.contains(&b'}') && self.buffer.len() > bytes.len() {
            return Ok(Vec::new());
        }
        let mut messages = Vec::new();
        // Each value is found first (borrowed from the buffer), then read.
        let mut stream =
            serde_json::Deserializer::from_slice(&self.buffer).into_iter::<&RawValue>();
        let result = loop {
            match stream.next() {
                Some(Ok(raw)) if raw.get().starts_with('{') => {
                    match serde_json::from_str(raw.get()) {
                        Ok(message) => messages.push(message),
                        Err(e) => break Err(CodecError::Shape(e)),
                    }
                }
                Some(Ok(other)) => {
                    break Err(CodecError::NotAnObject(crate::error::bounded(other.get())));
                }
                // The value is cut short: the rest comes with a later read.
                Some(Err(e)) if e.is_eof() => break Ok(()),
                Some(Err(e)) => break Err(e.into()),
                None => break Ok(()),
            }
        };
        let consumed = stream.byte_offset();
        self.buffer.drain(..consumed);
        // A large message's room is not kept for the small ones after it.
        if self.buffer.is_empty() && self.buffer.capacity() > KEPT {
            self.buffer = Vec::new();
        }
        if self.buffer.len() > MAX_MESSAGE {
            self.buffer = Vec::new();
            return Err(CodecError::TooLarge);
        }
        result.map(|()| messages)
    }

    /// Whether part of a message is still waiting for the rest of it.
    pub fn is_mid_message(&self) -> bool {
        self.buffer.iter().any(|b| !b.is_ascii_whitespace())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_message_split_at_every_byte_comes_out_once_whole() {
        let message = json!({"id": 7, "result": [{"rows": [{"name": "br-ex ✓"}]}], "error": null});
        let bytes = serde_json::to_vec(&message).unwrap();
        for cut in 0..=bytes.len() {
            let mut decoder = Decoder::new();
            let mut got = decoder.decode(&bytes[..cut]).unwrap();
            got.extend(decoder.decode(&bytes[cut..]).unwrap());
            assert_eq!(got, vec![message.clone()], "cut at {cut}");
            assert!(!decoder.is_mid_message());
        }
    }

    #[test]
    fn a_message_fed_byte_by_byte_comes_out_at_its_last_byte() {
        let bytes = br#"{"id":"echo","method":"echo","params":[]}"#;
        let mut decoder = Decoder::new();
        for (i, b) in bytes.iter().enumerate() {
            let got = decoder.decode(&[*b]).unwrap();
            assert_eq!(got.len(), usize::from(i == bytes.len() - 1), "byte {i}");
        }
    }

    #[test]
    fn two_messages_and_a_half_in_one_read() {
        let mut decoder = Decoder::new();
        let got = decoder
            .decode(br#"{"id":1,"result":[]}  {"id":2,"result":{}}{"id":3,"res"#)
            .unwrap();
        assert_eq!(
            got,
            vec![json!({"id":1,"result":[]}), json!({"id":2,"result":{}})]
        );
        assert!(decoder.is_mid_message());
        let got = decoder.decode(br#"ult":null}"#).unwrap();
        assert_eq!(got, vec![json!({"id":3,"result":null})]);
    }

    #[test]
    fn a_message_that_never_ends_is_refused_at_the_limit() {
        let mut decoder = Decoder::new();
        assert!(
            decoder
                .decode(b"{\"id\":1,\"result\":\"")
                .unwrap()
                .is_empty()
        );
        let chunk = vec![b'x'; 1 << 20];
        let mut refused = false;
        for _ in 0..=(MAX_MESSAGE >> 20) {
            if let Err(CodecError::TooLarge) = decoder.decode(&chunk) {
                refused = true;
                break;
            }
        }
        assert!(refused);
    }

    #[test]
    fn a_message_is_read_into_the_callers_type_and_its_room_given_back() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Reply {
            id: u64,
            result: Vec<String>,
        }
        let names: Vec<String> = (0..100_000).map(|i| format!("p{i}")).collect();
        let message = json!({"id": 3, "result": names});
        let mut decoder = Decoder::new();
        let got: Vec<Reply> = decoder.decode_as(message.to_string().as_bytes()).unwrap();
        assert_eq!(
            got,
            [Reply {
                id: 3,
                result: names
            }]
        );
        assert!(
            decoder.buffer.capacity() <= KEPT,
            "{}",
            decoder.buffer.capacity()
        );
        let wrong = decoder.decode_as::<Reply>(br#"{"id": "three", "result": []}"#);
        assert!(matches!(wrong, Err(CodecError::Shape(_))), "{wrong:?}");
    }

    #[test]
    fn garbage_and_non_objects_are_errors() {
        assert!(matches!(
            Decoder::new().decode(b"{\"id\":1}]"),
            Err(CodecError::Json(_))
        ));
        assert!(matches!(
            Decoder::new().decode(b"[1,2] "),
            Err(CodecError::NotAnObject(_))
        ));
    }
}
