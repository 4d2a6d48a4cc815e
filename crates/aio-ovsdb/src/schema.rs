//! A database schema (RFC 7047 section 3.2) as far as a client needs it:
//! which tables and columns exist and the type of each column, so that a
//! caller can check up front that the server's schema has what it writes.

use serde_json::Value as Json;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("database {db} has no table `{table}`")]
    NoTable { db: String, table: String },
    #[error("table `{table}` of database {db} has no column `{column}`")]
    NoColumn {
        db: String,
        table: String,
        column: String,
    },
    #[error("malformed schema: {0}")]
    Malformed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub name: String,
    pub version: String,
    pub tables: BTreeMap<String, Table>,
    /// The schema as the server sent it.
    pub json: Json,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Rows of a non-root table that no other row references are deleted
    /// when a transaction commits.
    pub is_root: bool,
    pub columns: BTreeMap<String, ColumnType>,
}

/// `<type>`: a set of `min..=max` keys, or a map when there is a `value` type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnType {
    pub key: BaseType,
    pub value: Option<BaseType>,
    pub min: u64,
    /// `None`: "unlimited".
    pub max: Option<u64>,
}

/// `<base-type>`: an atomic type, and the table a `uuid` refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseType {
    /// "integer", "real", "boolean", "string" or "uuid".
    pub atomic: String,
    pub ref_table: Option<String>,
}

impl Schema {
    pub fn from_json(json: Json) -> Result<Schema, SchemaError> {
        let text = |key: &str| {
            json.get(key)
                .and_then(Json::as_str)
                .map(str::to_string)
                .ok_or_else(|| SchemaError::Malformed(format!("no \"{key}\"")))
        };
        let (name, version) = (text("name")?, text("version")?);
        let tables = json
            .get("tables")
            .and_then(Json::as_object)
            .ok_or_else(|| SchemaError::Malformed("no \"tables\"".into()))?
            .iter()
            .map(|(name, table)| Ok((name.clone(), Table::from_json(name, table)?)))
            .collect::<Result<_, SchemaError>>()?;
        Ok(Schema {
            name,
            version,
            tables,
            json,
        })
    }

    pub fn table(&self, table: &str) -> Result<&Table, SchemaError> {
        self.tables.get(table).ok_or_else(|| SchemaError::NoTable {
            db: self.name.clone(),
            table: table.to_string(),
        })
    }

    /// The type of `table.column`, or an error naming what is missing.
    /// `_uuid` and `_version`, in every table, are sets of one uuid.
    pub fn require(&self, table: &str, column: &str) -> Result<ColumnType, SchemaError> {
        let found = self.table(table)?;
        if column == "_uuid" || column == "_version" {
            return Ok(ColumnType::scalar("uuid"));
        }
        found
            .columns
            .get(column)
            .cloned()
            .ok_or_else(|| SchemaError::NoColumn {
                db: self.name.clone(),
                table: table.to_string(),
                column: column.to_string(),
            })
    }
}

impl Table {
    fn from_json(name: &str, json: &Json) -> Result<Table, SchemaError> {
        let columns = json
            .get("columns")
            .and_then(Json::as_object)
            .ok_or_else(|| SchemaError::Malformed(format!("table {name} has no \"columns\"")))?
            .iter()
            .map(|(column, spec)| {
                ColumnType::from_json(spec.get("type").unwrap_or(&Json::Null))
                    .map(|t| (column.clone(), t))
                    .ok_or_else(|| SchemaError::Malformed(format!("type of {name}.{column}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Table {
            is_root: json.get("isRoot").and_then(Json::as_bool).unwrap_or(false),
            columns,
        })
    }
}

impl ColumnType {
    fn scalar(atomic: &str) -> ColumnType {
        ColumnType {
            key: BaseType {
                atomic: atomic.to_string(),
                ref_table: None,
            },
            value: None,
            min: 1,
            max: Some(1),
        }
    }

    fn from_json(json: &Json) -> Option<ColumnType> {
        if let Some(atomic) = json.as_str() {
            return Some(ColumnType::scalar(atomic));
        }
        let max = match json.get("max") {
            None => Some(1),
            Some(Json::String(s)) if s == "unlimited" => None,
            Some(n) => Some(n.as_u64()?),
        };
        Some(ColumnType {
            key: BaseType::from_json(json.get("key")?)?,
            value: match json.get("value") {
                Some(v) => Some(BaseType::from_json(v)?),
                None => None,
            },
            min: match json.get("min") {
                Some(n) => n.as_u64()?,
                None => 1,
            },
            max,
        })
    }

    pub fn is_map(&self) -> bool {
        self.value.is_some()
    }

    /// Zero or one value, like `Port.tag`.
    pub fn is_optional(&self) -> bool {
        self.min == 0 && self.max == Some(1)
    }
}

impl BaseType {
    fn from_json(json: &Json) -> Option<BaseType> {
        if let Some(atomic) = json.as_str() {
            return Some(BaseType {
                atomic: atomic.to_string(),
                ref_table: None,
            });
        }
        Some(BaseType {
            atomic: json.get("type")?.as_str()?.to_string(),
            ref_table: json
                .get("refTable")
                .and_then(Json::as_str)
                .map(str::to_string),
        })
    }
}
