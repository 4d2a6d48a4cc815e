//! Rows: what `insert` and `update` take and `select` returns, with readers
//! that name the column when a value has the wrong shape.

use serde::Serialize;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fmt;

use crate::error::{DataError, unexpected};
use crate::types::{Atom, Datum};

/// A row: column name to value. `_uuid` and `_version` appear in selected rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Row(pub BTreeMap<String, Datum>);

impl Row {
    pub fn new() -> Row {
        Row::default()
    }

    /// The row with `column` set to `value`, for building inserts and updates.
    pub fn with(mut self, column: &str, value: impl Into<Datum>) -> Row {
        self.0.insert(column.to_string(), value.into());
        self
    }

    pub fn to_json(&self) -> Json {
        crate::types::to_json(self)
    }

    pub fn from_json(json: &Json) -> Result<Row, DataError> {
        Row::deserialize(json).map_err(DataError::from)
    }

    pub fn get(&self, column: &str) -> Result<&Datum, DataError> {
        self.0
            .get(column)
            .ok_or_else(|| DataError::MissingColumn(column.to_string()))
    }

    /// The row's own UUID (`_uuid`), present in selected rows.
    pub fn uuid(&self) -> Result<&str, DataError> {
        self.read("_uuid", |d| match d {
            Datum::Atom(Atom::Uuid(u)) => Ok(u.as_str()),
            _ => Err(unexpected("a uuid", d)),
        })
    }

    pub fn string(&self, column: &str) -> Result<&str, DataError> {
        self.read(column, |d| match d {
            Datum::Atom(Atom::String(s)) => Ok(s.as_str()),
            _ => Err(unexpected("a string", d)),
        })
    }

    pub fn uuids(&self, column: &str) -> Result<Vec<&str>, DataError> {
        self.read(column, Datum::as_uuids)
    }

    pub fn string_map(&self, column: &str) -> Result<BTreeMap<String, String>, DataError> {
        self.read(column, Datum::as_string_map)
    }

    pub fn optional_integer(&self, column: &str) -> Result<Option<i64>, DataError> {
        self.read(column, Datum::as_optional_integer)
    }

    fn read<'a, T>(
        &'a self,
        column: &str,
        f: impl FnOnce(&'a Datum) -> Result<T, DataError>,
    ) -> Result<T, DataError> {
        f(self.get(column)?).map_err(|e| in_column(column, e))
    }
}

fn in_column(column: &str, e: DataError) -> DataError {
    DataError::Column {
        column: column.to_string(),
        source: Box::new(e),
    }
}

/// A row read from the wire; a value of the wrong shape is reported with
/// its column.
impl<'de> Deserialize<'de> for Row {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Row, D::Error> {
        d.deserialize_map(RowVisitor)
    }
}

struct RowVisitor;

impl<'de> Visitor<'de> for RowVisitor {
    type Value = Row;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a row")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Row, A::Error> {
        let mut row = BTreeMap::new();
        while let Some(column) = map.next_key::<String>()? {
            let value = map.next_value::<Datum>().map_err(|e| {
                de::Error::custom(in_column(&column, DataError::Invalid(e.to_string())))
            })?;
            row.insert(column, value);
        }
        Ok(Row(row))
    }
}
