//! [`Attrs`]: a resource's attributes, values by name, so that plans are
//! data. A resource has a handful of attributes and a plan holds two sets
//! per resource (wanted and live), tens of thousands at N = 10 000: they
//! are kept as a short list in the order they were given, names inline,
//! rather than as a hashed map, and each value as an [`AttrValue`]. Looking
//! one up walks the list, which for a handful of names is faster than
//! hashing the name.

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

use crate::attr_value::AttrValue;
use crate::short::Short;

/// Attributes of a resource by name, in the order they were inserted.
/// Equal when they hold the same names with equal values, in any order.
#[derive(Clone, Default)]
pub struct Attrs {
    entries: Vec<(Short, AttrValue)>,
}

static NULL: AttrValue = AttrValue::NULL;

impl Attrs {
    pub fn new() -> Self {
        Attrs::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        Attrs {
            entries: Vec::with_capacity(n),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k.as_str() == name)
    }

    pub fn get(&self, name: &str) -> Option<&AttrValue> {
        self.position(name).map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut AttrValue> {
        self.position(name).map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Sets `name` to `value`, where it was if it was there (its old value
    /// returned), else last.
    pub fn insert(
        &mut self,
        name: impl AsRef<str>,
        value: impl Into<AttrValue>,
    ) -> Option<AttrValue> {
        let name = name.as_ref();
        let value = value.into();
        match self.position(name) {
            Some(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            None => {
                self.entries.push((Short::new(name), value));
                None
            }
        }
    }

    /// Removes `name`, keeping the others in their order.
    pub fn remove(&mut self, name: &str) -> Option<AttrValue> {
        self.position(name).map(|i| self.entries.remove(i).1)
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &AttrValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn iter_mut(&mut self) -> impl ExactSizeIterator<Item = (&str, &mut AttrValue)> {
        self.entries.iter_mut().map(|(k, v)| (k.as_str(), v))
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// Reads the attributes into `T`, without copying them.
    pub fn to_typed<T: de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(de::value::MapDeserializer::new(self.iter()))
    }

    /// The attributes of a JSON object; `None` for any other value.
    pub fn from_value(value: Value) -> Option<Attrs> {
        match value {
            Value::Object(map) => Some(map.into_iter().collect()),
            _ => None,
        }
    }
}

impl std::ops::Index<&str> for Attrs {
    type Output = AttrValue;

    /// `null` for an attribute that is absent, as JSON indexing gives.
    fn index(&self, name: &str) -> &AttrValue {
        self.get(name).unwrap_or(&NULL)
    }
}

impl PartialEq for Attrs {
    fn eq(&self, other: &Attrs) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl fmt::Debug for Attrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: AsRef<str>, V: Into<AttrValue>> Extend<(K, V)> for Attrs {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K: AsRef<str>, V: Into<AttrValue>> FromIterator<(K, V)> for Attrs {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut attrs = Attrs::with_capacity(iter.size_hint().0);
        attrs.extend(iter);
        attrs
    }
}

impl IntoIterator for Attrs {
    type Item = (String, AttrValue);
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        IntoIter(self.entries.into_iter())
    }
}

/// The attributes of an [`Attrs`], taken out in order.
pub struct IntoIter(std::vec::IntoIter<(Short, AttrValue)>);

impl Iterator for IntoIter {
    type Item = (String, AttrValue);

    fn next(&mut self) -> Option<(String, AttrValue)> {
        self.0.next().map(|(k, v)| (k.as_str().to_string(), v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl From<Attrs> for Value {
    fn from(attrs: Attrs) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k, v.into())).collect())
    }
}

impl Serialize for Attrs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Attrs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Names;
        impl<'de> Visitor<'de> for Names {
            type Value = Attrs;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of attributes")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Attrs, A::Error> {
                let mut attrs = Attrs::with_capacity(access.size_hint().unwrap_or(0).min(64));
                while let Some((k, v)) = access.next_entry::<Short, AttrValue>()? {
                    attrs.insert(k.as_str(), v);
                }
                Ok(attrs)
            }
        }
        d.deserialize_map(Names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_short_and_long_read_back() {
        let long = "a-name-longer-than-twenty-two-bytes";
        let mut a = Attrs::new();
        a.insert("mtu", json!(9000));
        a.insert(long, json!("x"));
        a.insert("é", json!(null));
        assert_eq!(a.keys().collect::<Vec<_>>(), ["mtu", long, "é"]);
        assert_eq!(a["mtu"], 9000);
        assert_eq!(a[long], "x");
        assert_eq!(a["absent"], Value::Null);
        assert!(a.contains_key("é") && !a.contains_key("e"));
    }

    #[test]
    fn insert_replaces_in_place_and_remove_keeps_the_order() {
        let mut a: Attrs = [("a", json!(1)), ("b", json!(2)), ("c", json!(3))]
            .into_iter()
            .collect();
        assert_eq!(a.insert("a", json!(10)), Some(1.into()));
        assert_eq!(a.remove("b"), Some(2.into()));
        assert_eq!(a.keys().collect::<Vec<_>>(), ["a", "c"]);
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn equal_whatever_the_order_and_unequal_on_any_difference() {
        let ab: Attrs = [("a", json!(1)), ("b", json!(2))].into_iter().collect();
        let ba: Attrs = [("b", json!(2)), ("a", json!(1))].into_iter().collect();
        let a: Attrs = [("a", json!(1))].into_iter().collect();
        let ab3: Attrs = [("a", json!(1)), ("b", json!(3))].into_iter().collect();
        assert_eq!(ab, ba);
        assert_ne!(ab, a);
        assert_ne!(a, ab);
        assert_ne!(ab, ab3);
    }

    #[test]
    fn written_and_read_as_a_json_object_in_order() {
        let a: Attrs = [("kind", json!("veth")), ("mtu", json!(1500))]
            .into_iter()
            .collect();
        let text = serde_json::to_string(&a).unwrap();
        assert_eq!(text, r#"{"kind":"veth","mtu":1500}"#);
        let back: Attrs = serde_json::from_str(&text).unwrap();
        assert_eq!(back.keys().collect::<Vec<_>>(), ["kind", "mtu"]);
        assert_eq!(Value::from(back), json!({"kind": "veth", "mtu": 1500}));
        assert!(serde_json::from_str::<Attrs>("[1]").is_err());
        assert!(Attrs::from_value(json!(3)).is_none());
    }

    #[test]
    fn read_into_a_type_without_a_copy() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct Link {
            kind: Option<String>,
            mtu: u32,
        }
        let a = Attrs::from_value(json!({"mtu": 1500, "kind": null, "other": 1})).unwrap();
        let link: Link = a.to_typed().unwrap();
        assert_eq!(
            link,
            Link {
                kind: None,
                mtu: 1500
            }
        );
        let bad = Attrs::from_value(json!({"mtu": "x"})).unwrap();
        assert!(bad.to_typed::<Link>().is_err());
    }
}
