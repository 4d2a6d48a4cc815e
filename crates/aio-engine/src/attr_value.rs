//! [`AttrValue`]: one attribute's value. It is JSON, but a plan holds two
//! values per attribute of every resource, and nearly all of them are a
//! short string, a number, a boolean or null: those are held as such, a
//! short string inline, with no JSON tree and no allocation. Lists and
//! objects are kept as JSON.

use serde::de::{self, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};
use std::fmt;
use std::marker::PhantomData;

use crate::short::Short;

/// A JSON value, as one attribute holds it. Equal to another exactly when
/// their JSON is equal.
#[derive(Clone, PartialEq, Default)]
pub struct AttrValue(Repr);

#[derive(Clone, PartialEq, Default)]
enum Repr {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Short),
    /// A list or an object (never a scalar: those have their own variants,
    /// so that equality is JSON's).
    Json(Box<Value>),
}

impl AttrValue {
    pub const NULL: AttrValue = AttrValue(Repr::Null);

    pub fn is_null(&self) -> bool {
        matches!(self.0, Repr::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.0 {
            Repr::String(s) => Some(s.as_str()),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.0 {
            Repr::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match &self.0 {
            Repr::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map<String, Value>> {
        match &self.0 {
            Repr::Json(v) => v.as_object(),
            _ => None,
        }
    }

    /// The value as a person reads it: a string bare, `null` as `none`,
    /// anything else as JSON (`9000`, `["a"]`).
    pub fn plain(&self) -> String {
        match &self.0 {
            Repr::Null => "none".to_string(),
            Repr::String(s) => s.as_str().to_string(),
            _ => self.to_string(),
        }
    }

    /// Reads the value into `T`, without copying it.
    pub fn to_typed<T: de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(IntoDeserializer::<serde_json::Error>::into_deserializer(
            self,
        ))
    }

    /// The value as a JSON tree (a copy).
    pub fn to_json(&self) -> Value {
        match &self.0 {
            Repr::Null => Value::Null,
            Repr::Bool(b) => Value::Bool(*b),
            Repr::Number(n) => Value::Number(n.clone()),
            Repr::String(s) => Value::String(s.as_str().to_string()),
            Repr::Json(v) => (**v).clone(),
        }
    }
}

impl From<Value> for AttrValue {
    fn from(value: Value) -> AttrValue {
        match value {
            Value::Null => AttrValue::NULL,
            Value::Bool(b) => AttrValue(Repr::Bool(b)),
            Value::Number(n) => AttrValue(Repr::Number(n)),
            Value::String(s) => AttrValue(Repr::String(Short::new(&s))),
            other => AttrValue(Repr::Json(Box::new(other))),
        }
    }
}

impl From<AttrValue> for Value {
    fn from(value: AttrValue) -> Value {
        match value.0 {
            Repr::Json(v) => *v,
            scalar => AttrValue(scalar).to_json(),
        }
    }
}

impl From<&str> for AttrValue {
    fn from(s: &str) -> AttrValue {
        AttrValue(Repr::String(Short::new(s)))
    }
}

impl From<String> for AttrValue {
    fn from(s: String) -> AttrValue {
        AttrValue(Repr::String(Short::new(&s)))
    }
}

impl From<bool> for AttrValue {
    fn from(b: bool) -> AttrValue {
        AttrValue(Repr::Bool(b))
    }
}

macro_rules! from_integer {
    ($($t:ty)*) => {$(
        impl From<$t> for AttrValue {
            fn from(n: $t) -> AttrValue {
                AttrValue(Repr::Number(n.into()))
            }
        }
    )*};
}
from_integer!(u8 u16 u32 u64 i8 i16 i32 i64);

impl<T: Into<AttrValue>> From<Option<T>> for AttrValue {
    /// `null` for `None`.
    fn from(value: Option<T>) -> AttrValue {
        value.map_or(AttrValue::NULL, Into::into)
    }
}

impl PartialEq<Value> for AttrValue {
    fn eq(&self, other: &Value) -> bool {
        match (&self.0, other) {
            (Repr::Null, Value::Null) => true,
            (Repr::Bool(a), Value::Bool(b)) => a == b,
            (Repr::Number(a), Value::Number(b)) => a == b,
            (Repr::String(a), Value::String(b)) => a.as_str() == b,
            (Repr::Json(a), b) => **a == *b,
            _ => false,
        }
    }
}

impl PartialEq<AttrValue> for Value {
    fn eq(&self, other: &AttrValue) -> bool {
        other == self
    }
}

impl PartialEq<str> for AttrValue {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for AttrValue {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<bool> for AttrValue {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

macro_rules! eq_integer {
    ($($t:ty)*) => {$(
        impl PartialEq<$t> for AttrValue {
            fn eq(&self, other: &$t) -> bool {
                matches!(&self.0, Repr::Number(n) if *n == Number::from(*other))
            }
        }
    )*};
}
eq_integer!(u8 u16 u32 u64 i8 i16 i32 i64);

impl fmt::Display for AttrValue {
    /// As JSON text (a string quoted).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Null => f.write_str("null"),
            Repr::Bool(b) => write!(f, "{b}"),
            Repr::Number(n) => write!(f, "{n}"),
            Repr::String(s) => {
                let text = serde_json::to_string(s.as_str()).map_err(|_| fmt::Error)?;
                f.write_str(&text)
            }
            Repr::Json(v) if f.alternate() => write!(f, "{v:#}"),
            Repr::Json(v) => write!(f, "{v}"),
        }
    }
}

impl fmt::Debug for AttrValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for AttrValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Null => s.serialize_unit(),
            Repr::Bool(b) => s.serialize_bool(*b),
            Repr::Number(n) => n.serialize(s),
            Repr::String(text) => s.serialize_str(text.as_str()),
            Repr::Json(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for AttrValue {
    /// Scalars straight into their variant; a list or an object as JSON.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Any;
        impl<'de> Visitor<'de> for Any {
            type Value = AttrValue;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<AttrValue, E> {
                Ok(AttrValue::NULL)
            }
            fn visit_none<E>(self) -> Result<AttrValue, E> {
                Ok(AttrValue::NULL)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<AttrValue, D::Error> {
                AttrValue::deserialize(d)
            }
            fn visit_bool<E>(self, b: bool) -> Result<AttrValue, E> {
                Ok(AttrValue(Repr::Bool(b)))
            }
            fn visit_u64<E>(self, n: u64) -> Result<AttrValue, E> {
                Ok(AttrValue(Repr::Number(n.into())))
            }
            fn visit_i64<E>(self, n: i64) -> Result<AttrValue, E> {
                Ok(AttrValue(Repr::Number(n.into())))
            }
            fn visit_i128<E: de::Error>(self, n: i128) -> Result<AttrValue, E> {
                match (i64::try_from(n), u64::try_from(n)) {
                    (Ok(n), _) => Ok(n.into()),
                    (_, Ok(n)) => Ok(n.into()),
                    _ => Err(E::custom("number out of range")),
                }
            }
            fn visit_u128<E: de::Error>(self, n: u128) -> Result<AttrValue, E> {
                u64::try_from(n)
                    .map(AttrValue::from)
                    .map_err(|_| E::custom("number out of range"))
            }
            fn visit_f64<E>(self, n: f64) -> Result<AttrValue, E> {
                Ok(Number::from_f64(n).map_or(AttrValue::NULL, |n| AttrValue(Repr::Number(n))))
            }
            fn visit_str<E>(self, s: &str) -> Result<AttrValue, E> {
                Ok(AttrValue::from(s))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<AttrValue, A::Error> {
                Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(AttrValue::from)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<AttrValue, A::Error> {
                Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(AttrValue::from)
            }
        }
        d.deserialize_any(Any)
    }
}

/// Reads one value into a caller's type without copying it (see
/// [`Attrs::to_typed`](crate::Attrs::to_typed)): as a JSON tree would be
/// read, `null` an absent option and a string a unit enum variant.
pub struct ValueDeserializer<'a, E>(&'a AttrValue, PhantomData<E>);

impl<'de, E: de::Error> IntoDeserializer<'de, E> for &'de AttrValue {
    type Deserializer = ValueDeserializer<'de, E>;

    fn into_deserializer(self) -> ValueDeserializer<'de, E> {
        ValueDeserializer(self, PhantomData)
    }
}

impl<'de, E: de::Error> Deserializer<'de> for ValueDeserializer<'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match &self.0.0 {
            Repr::Null => v.visit_unit(),
            Repr::Bool(b) => v.visit_bool(*b),
            Repr::Number(n) => n.deserialize_any(v).map_err(E::custom),
            Repr::String(s) => v.visit_borrowed_str(s.as_str()),
            Repr::Json(value) => value.as_ref().deserialize_any(v).map_err(E::custom),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match &self.0.0 {
            Repr::Null => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Self::Error> {
        match &self.0.0 {
            Repr::String(s) => v.visit_enum(s.as_str().into_deserializer()),
            Repr::Json(value) => value
                .as_ref()
                .deserialize_enum(name, variants, v)
                .map_err(E::custom),
            other => Err(de::Error::invalid_type(
                unexpected(other),
                &"an enum variant",
            )),
        }
    }

    /// As serde_json reads one: the value is the struct's one field.
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, Self::Error> {
        v.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

fn unexpected(value: &Repr) -> de::Unexpected<'_> {
    match value {
        Repr::Null => de::Unexpected::Unit,
        Repr::Bool(b) => de::Unexpected::Bool(*b),
        _ => de::Unexpected::Other("a number"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_are_held_without_json_and_compare_as_json() {
        for v in [
            json!(null),
            json!(true),
            json!(9000),
            json!(-1),
            json!(1.5),
            json!("up"),
        ] {
            let a = AttrValue::from(v.clone());
            assert!(!matches!(a.0, Repr::Json(_)), "{v}");
            assert_eq!(a, v);
            assert_eq!(a.to_json(), v);
            assert_eq!(a.to_string(), v.to_string());
            let plain = match &v {
                Value::Null => "none".to_string(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(a.plain(), plain);
            assert_eq!(serde_json::to_value(&a).unwrap(), v);
            assert_eq!(serde_json::from_value::<AttrValue>(v.clone()).unwrap(), a);
        }
        assert_eq!(AttrValue::NULL.plain(), "none");
        assert_ne!(AttrValue::from(json!(1)), AttrValue::from(json!(1.0)));
        assert_ne!(AttrValue::from(json!("1")), AttrValue::from(json!(1)));
        // A third of a JSON value (72 bytes), a short string included.
        assert_eq!(std::mem::size_of::<AttrValue>(), 24);
    }

    #[test]
    fn lists_and_objects_stay_json() {
        let v = json!({"b": [1, "x"], "a": null});
        let a = AttrValue::from(v.clone());
        assert_eq!(a, v);
        assert_eq!(a.to_string(), r#"{"b":[1,"x"],"a":null}"#);
        assert_eq!(
            serde_json::from_str::<AttrValue>(&v.to_string()).unwrap(),
            a
        );
        assert_eq!(a.as_object().map(|o| o.len()), Some(2));
        assert_eq!(AttrValue::from(json!([1, 2])).plain(), "[1,2]");
        assert_eq!(Value::from(a), v);
    }

    #[test]
    fn read_into_types_as_serde_json_reads_them() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct Mtu(u32);
        #[derive(Deserialize, Debug, PartialEq)]
        struct Trunks(Vec<u16>);
        #[derive(Deserialize, Debug, PartialEq)]
        #[serde(rename_all = "lowercase")]
        enum State {
            Up,
        }
        let read = |v: Value| AttrValue::from(v);
        assert_eq!(read(json!(9000)).to_typed::<Mtu>().unwrap(), Mtu(9000));
        assert_eq!(
            read(json!([1, 2])).to_typed::<Trunks>().unwrap(),
            Trunks(vec![1, 2])
        );
        assert_eq!(read(json!("up")).to_typed::<State>().unwrap(), State::Up);
        assert_eq!(read(json!(null)).to_typed::<Option<Mtu>>().unwrap(), None);
        assert_eq!(
            read(json!(7)).to_typed::<Option<Mtu>>().unwrap(),
            Some(Mtu(7))
        );
        assert!(read(json!("down")).to_typed::<State>().is_err());
        assert!(read(json!(-1)).to_typed::<Mtu>().is_err());
        let pretty = read(json!({"a": [1]}));
        assert_eq!(format!("{pretty:#}"), format!("{:#}", json!({"a": [1]})));
    }

    #[test]
    fn long_and_quoted_strings_read_back() {
        let long = "a string longer than twenty-two bytes, with \"quotes\"";
        let a = AttrValue::from(long);
        assert_eq!(a, long);
        assert_eq!(a.to_string(), serde_json::to_string(long).unwrap());
        assert_eq!(
            serde_json::from_str::<AttrValue>(&a.to_string()).unwrap(),
            a
        );
    }
}
