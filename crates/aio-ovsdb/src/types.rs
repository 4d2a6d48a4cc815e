//! OVSDB data in the notation of RFC 7047 section 5.1: atoms, sets and maps,
//! and their conversion to and from JSON.
//!
//! A set of exactly one element may be written as the bare atom, and
//! ovsdb-server does so in what it returns (an optional column holding a value
//! comes back as the value, an empty one as `["set",[]]`). The readers below
//! ([`Datum::as_set`] and friends) therefore accept both forms.

use serde::{Serialize, Serializer};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fmt;

use crate::error::{DataError, unexpected};

/// One scalar: `<atom>` in the RFC.
#[derive(Debug, Clone, PartialEq)]
pub enum Atom {
    Integer(i64),
    Real(f64),
    Boolean(bool),
    String(String),
    /// `["uuid", "…"]`: a row that exists.
    Uuid(String),
    /// `["named-uuid", "…"]`: a row inserted earlier in the same transaction.
    NamedUuid(String),
}

/// A column's value: `<value>` in the RFC.
#[derive(Debug, Clone, PartialEq)]
pub enum Datum {
    Atom(Atom),
    Set(Vec<Atom>),
    Map(Vec<(Atom, Atom)>),
}

impl Atom {
    pub fn uuid(uuid: impl Into<String>) -> Atom {
        Atom::Uuid(uuid.into())
    }

    pub fn named(name: impl Into<String>) -> Atom {
        Atom::NamedUuid(name.into())
    }

    pub fn to_json(&self) -> Json {
        to_json(self)
    }

    pub fn from_json(json: &Json) -> Result<Atom, DataError> {
        match json {
            Json::Bool(b) => Ok(Atom::Boolean(*b)),
            Json::String(s) => Ok(Atom::String(s.clone())),
            Json::Number(n) => match n.as_i64() {
                Some(i) => Ok(Atom::Integer(i)),
                None if n.is_f64() => Ok(Atom::Real(n.as_f64().unwrap_or_default())),
                None => Err(unexpected("a 64-bit integer", n)),
            },
            Json::Array(pair) => match pair.as_slice() {
                [Json::String(tag), Json::String(id)] if tag == "uuid" => Ok(Atom::uuid(id)),
                [Json::String(tag), Json::String(id)] if tag == "named-uuid" => Ok(Atom::named(id)),
                _ => Err(unexpected("an atom", json)),
            },
            _ => Err(unexpected("an atom", json)),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Atom::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_integer(&self) -> Option<i64> {
        match self {
            Atom::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// A real; an integer reads as one too, since a whole real may be sent
    /// without a fraction and a JSON number does not say which it is.
    pub fn as_real(&self) -> Option<f64> {
        match self {
            Atom::Real(r) => Some(*r),
            Atom::Integer(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// The UUID of a row that exists (not a named UUID).
    pub fn as_uuid(&self) -> Option<&str> {
        match self {
            Atom::Uuid(u) => Some(u),
            _ => None,
        }
    }
}

impl Datum {
    pub fn set(atoms: impl IntoIterator<Item = impl Into<Atom>>) -> Datum {
        Datum::Set(atoms.into_iter().map(Into::into).collect())
    }

    pub fn empty_set() -> Datum {
        Datum::Set(Vec::new())
    }

    pub fn map<K: Into<Atom>, V: Into<Atom>>(pairs: impl IntoIterator<Item = (K, V)>) -> Datum {
        Datum::Map(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    pub fn to_json(&self) -> Json {
        to_json(self)
    }

    pub fn from_json(json: &Json) -> Result<Datum, DataError> {
        let tagged = json.as_array().and_then(|a| match a.as_slice() {
            [Json::String(tag), Json::Array(items)] => Some((tag.as_str(), items)),
            _ => None,
        });
        match tagged {
            Some(("set", items)) => Ok(Datum::Set(
                items
                    .iter()
                    .map(Atom::from_json)
                    .collect::<Result<_, _>>()?,
            )),
            Some(("map", items)) => Ok(Datum::Map(
                items
                    .iter()
                    .map(|pair| match pair.as_array().map(Vec::as_slice) {
                        Some([k, v]) => Ok((Atom::from_json(k)?, Atom::from_json(v)?)),
                        _ => Err(unexpected("a [key, value] pair", pair)),
                    })
                    .collect::<Result<_, _>>()?,
            )),
            _ => Ok(Datum::Atom(Atom::from_json(json)?)),
        }
    }

    /// The elements of a set; a bare atom is a set of one.
    pub fn as_set(&self) -> Result<&[Atom], DataError> {
        match self {
            Datum::Atom(a) => Ok(std::slice::from_ref(a)),
            Datum::Set(atoms) => Ok(atoms),
            Datum::Map(_) => Err(unexpected("a set", self)),
        }
    }

    /// The UUIDs in a set of references (`Bridge.ports`, ...).
    pub fn as_uuids(&self) -> Result<Vec<&str>, DataError> {
        self.as_set()?
            .iter()
            .map(|a| a.as_uuid().ok_or_else(|| unexpected("a uuid", a)))
            .collect()
    }

    /// A map from strings to strings (`external_ids`, `other_config`, ...).
    pub fn as_string_map(&self) -> Result<BTreeMap<String, String>, DataError> {
        match self {
            Datum::Map(pairs) => pairs
                .iter()
                .map(|(k, v)| match (k, v) {
                    (Atom::String(k), Atom::String(v)) => Ok((k.clone(), v.clone())),
                    _ => Err(unexpected("a string to string pair", to_json(&(k, v)))),
                })
                .collect(),
            _ => Err(unexpected("a map", self)),
        }
    }

    /// An optional integer (`Port.tag`): an empty set is `None`.
    pub fn as_optional_integer(&self) -> Result<Option<i64>, DataError> {
        match self.as_set()? {
            [] => Ok(None),
            [Atom::Integer(i)] => Ok(Some(*i)),
            _ => Err(unexpected("an optional integer", self)),
        }
    }

    /// An optional string (`Bridge.datapath_id`): an empty set is `None`.
    pub fn as_optional_string(&self) -> Result<Option<&str>, DataError> {
        match self.as_set()? {
            [] => Ok(None),
            [Atom::String(s)] => Ok(Some(s)),
            _ => Err(unexpected("an optional string", self)),
        }
    }
}

macro_rules! atom_from {
    ($($t:ty => $variant:ident($conv:expr)),* $(,)?) => {$(
        impl From<$t> for Atom {
            fn from(v: $t) -> Atom {
                Atom::$variant($conv(v))
            }
        }
        impl From<$t> for Datum {
            fn from(v: $t) -> Datum {
                Datum::Atom(v.into())
            }
        }
    )*};
}

atom_from! {
    i64 => Integer(|v| v),
    i32 => Integer(i64::from),
    u32 => Integer(i64::from),
    u16 => Integer(i64::from),
    f64 => Real(|v| v),
    bool => Boolean(|v| v),
    &str => String(str::to_string),
    String => String(|v| v),
}

/// The JSON of a value that serializes to JSON (all of this crate's: their
/// map keys are strings).
pub(crate) fn to_json(value: &impl Serialize) -> Json {
    serde_json::to_value(value).unwrap_or(Json::Null)
}

// The wire notation, written straight into a request's bytes.
impl Serialize for Atom {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Atom::Integer(i) => s.serialize_i64(*i),
            Atom::Real(r) => s.serialize_f64(*r),
            Atom::Boolean(b) => s.serialize_bool(*b),
            Atom::String(v) => s.serialize_str(v),
            Atom::Uuid(u) => ("uuid", u).serialize(s),
            Atom::NamedUuid(n) => ("named-uuid", n).serialize(s),
        }
    }
}

impl Serialize for Datum {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Datum::Atom(a) => a.serialize(s),
            Datum::Set(atoms) => ("set", atoms).serialize(s),
            // A pair is a two-element array: `[key, value]`.
            Datum::Map(pairs) => ("map", pairs).serialize(s),
        }
    }
}

impl From<Atom> for Datum {
    fn from(a: Atom) -> Datum {
        Datum::Atom(a)
    }
}

/// The RFC 7047 JSON notation.
impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_json().fmt(f)
    }
}

/// The RFC 7047 JSON notation.
impl fmt::Display for Datum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_json().fmt(f)
    }
}
