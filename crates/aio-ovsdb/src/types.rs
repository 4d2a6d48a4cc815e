//! OVSDB data in the notation of RFC 7047 section 5.1: atoms, sets and maps,
//! and their conversion to and from JSON.
//!
//! A set of exactly one element may be written as the bare atom, and
//! ovsdb-server does so in what it returns (an optional column holding a value
//! comes back as the value, an empty one as `["set",[]]`). The readers below
//! ([`Datum::as_set`] and friends) therefore accept both forms.

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, SeqAccess, Visitor};
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
        Atom::deserialize(json).map_err(DataError::from)
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
        Datum::deserialize(json).map_err(DataError::from)
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

// The wire notation, read straight from a response's bytes (or from a
// `Json` value: both are deserializers).
impl<'de> Deserialize<'de> for Atom {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Atom, D::Error> {
        d.deserialize_any(AtomVisitor)
    }
}

impl<'de> Deserialize<'de> for Datum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Datum, D::Error> {
        d.deserialize_any(DatumVisitor)
    }
}

/// Reads an atom; a JSON array is `["uuid", id]` or `["named-uuid", id]`.
struct AtomVisitor;

/// Reads a datum: an atom, `["set", [atoms]]` or `["map", [[key, value]...]]`.
struct DatumVisitor;

/// The scalar atoms, the same for both visitors.
macro_rules! scalar_atoms {
    ($out:ty, $wrap:expr) => {
        fn visit_bool<E: de::Error>(self, b: bool) -> Result<$out, E> {
            Ok($wrap(Atom::Boolean(b)))
        }

        fn visit_i64<E: de::Error>(self, i: i64) -> Result<$out, E> {
            Ok($wrap(Atom::Integer(i)))
        }

        fn visit_u64<E: de::Error>(self, u: u64) -> Result<$out, E> {
            let i = i64::try_from(u)
                .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(u), &"a 64-bit integer"))?;
            Ok($wrap(Atom::Integer(i)))
        }

        fn visit_f64<E: de::Error>(self, r: f64) -> Result<$out, E> {
            Ok($wrap(Atom::Real(r)))
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<$out, E> {
            Ok($wrap(Atom::String(s.to_string())))
        }

        fn visit_string<E: de::Error>(self, s: String) -> Result<$out, E> {
            Ok($wrap(Atom::String(s)))
        }
    };
}

impl<'de> Visitor<'de> for AtomVisitor {
    type Value = Atom;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an atom")
    }

    scalar_atoms!(Atom, |a| a);

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Atom, A::Error> {
        let tag: String = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        tagged_atom(&tag, seq, &self)
    }
}

impl<'de> Visitor<'de> for DatumVisitor {
    type Value = Datum;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an atom, a set or a map")
    }

    scalar_atoms!(Datum, Datum::Atom);

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Datum, A::Error> {
        let tag: String = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let datum = match tag.as_str() {
            "set" => Datum::Set(element(&mut seq, &self)?),
            "map" => Datum::Map(element(&mut seq, &self)?),
            _ => return tagged_atom(&tag, seq, &AtomVisitor).map(Datum::Atom),
        };
        end(seq, &self).map(|()| datum)
    }
}

/// The rest of `[tag, id]` once `tag` is read.
fn tagged_atom<'de, A: SeqAccess<'de>>(
    tag: &str,
    mut seq: A,
    expected: &dyn de::Expected,
) -> Result<Atom, A::Error> {
    let atom = match tag {
        "uuid" => Atom::Uuid(element(&mut seq, expected)?),
        "named-uuid" => Atom::NamedUuid(element(&mut seq, expected)?),
        _ => return Err(de::Error::invalid_value(de::Unexpected::Str(tag), expected)),
    };
    end(seq, expected).map(|()| atom)
}

/// The second element of a tagged pair.
fn element<'de, A: SeqAccess<'de>, T: Deserialize<'de>>(
    seq: &mut A,
    expected: &dyn de::Expected,
) -> Result<T, A::Error> {
    seq.next_element()?
        .ok_or_else(|| de::Error::invalid_length(1, expected))
}

/// Refuses a tagged pair with more than two elements.
fn end<'de, A: SeqAccess<'de>>(mut seq: A, expected: &dyn de::Expected) -> Result<(), A::Error> {
    match seq.next_element::<IgnoredAny>()? {
        None => Ok(()),
        Some(_) => Err(de::Error::invalid_length(3, expected)),
    }
}
