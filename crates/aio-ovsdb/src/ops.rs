//! The operations of a `transact` request (RFC 7047 section 5.2), built from
//! typed parts and serialized straight into the request's bytes.
//!
//! ```
//! use aio_ovsdb::{Condition, Mutation, Op, Row, Datum, Atom};
//! let ops = [
//!     Op::insert("Bridge", Row::new().with("name", "br0"), Some("br")),
//!     Op::mutate("Open_vSwitch", [], [Mutation::insert("bridges", Datum::set([Atom::named("br")]))]),
//!     Op::select_columns("Bridge", [Condition::eq("name", "br0")], &["_uuid", "ports"]),
//! ];
//! assert_eq!(ops[2].name(), "select");
//! ```

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value as Json;

use crate::clause::{Condition, Mutation};
use crate::row::Row;

/// What a `wait` waits for: the selected rows to equal, or to differ from, the given rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    Eq,
    Ne,
}

/// One operation of a transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Op {
    table: Option<String>,
    kind: Kind,
}

/// Each operation's own members, besides `op` and `table`.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Select {
        wheres: Vec<Condition>,
        columns: Option<Vec<String>>,
    },
    Insert {
        row: Row,
        uuid_name: Option<String>,
    },
    Update {
        wheres: Vec<Condition>,
        row: Row,
    },
    Mutate {
        wheres: Vec<Condition>,
        mutations: Vec<Mutation>,
    },
    Delete {
        wheres: Vec<Condition>,
    },
    Wait {
        wheres: Vec<Condition>,
        columns: Vec<String>,
        until: Until,
        rows: Vec<Row>,
        timeout_ms: Option<u64>,
    },
    Comment(String),
}

impl Op {
    fn on(table: &str, kind: Kind) -> Op {
        Op {
            table: Some(table.to_string()),
            kind,
        }
    }

    /// All columns of the rows matching `conditions` (all rows when there are none).
    pub fn select(table: &str, conditions: impl IntoIterator<Item = Condition>) -> Op {
        let wheres = conditions.into_iter().collect();
        Op::on(
            table,
            Kind::Select {
                wheres,
                columns: None,
            },
        )
    }

    /// Like [`Op::select`], with only `columns` (`_uuid` is a column too).
    pub fn select_columns(
        table: &str,
        conditions: impl IntoIterator<Item = Condition>,
        columns: &[&str],
    ) -> Op {
        let wheres = conditions.into_iter().collect();
        let columns = Some(strings(columns));
        Op::on(table, Kind::Select { wheres, columns })
    }

    /// A new row; `uuid_name` lets later operations of the same transaction
    /// refer to it as `Atom::NamedUuid(uuid_name)`.
    pub fn insert(table: &str, row: Row, uuid_name: Option<&str>) -> Op {
        let uuid_name = uuid_name.map(str::to_string);
        Op::on(table, Kind::Insert { row, uuid_name })
    }

    pub fn update(table: &str, conditions: impl IntoIterator<Item = Condition>, row: Row) -> Op {
        let wheres = conditions.into_iter().collect();
        Op::on(table, Kind::Update { wheres, row })
    }

    pub fn mutate(
        table: &str,
        conditions: impl IntoIterator<Item = Condition>,
        mutations: impl IntoIterator<Item = Mutation>,
    ) -> Op {
        let wheres = conditions.into_iter().collect();
        let mutations = mutations.into_iter().collect();
        Op::on(table, Kind::Mutate { wheres, mutations })
    }

    pub fn delete(table: &str, conditions: impl IntoIterator<Item = Condition>) -> Op {
        let wheres = conditions.into_iter().collect();
        Op::on(table, Kind::Delete { wheres })
    }

    /// Waits until `columns` of the rows matching `conditions` equal (or
    /// differ from) `rows`; the transaction fails with "timed out" after
    /// `timeout_ms` (0: check once, now; `None`: wait forever).
    pub fn wait(
        table: &str,
        conditions: impl IntoIterator<Item = Condition>,
        columns: &[&str],
        until: Until,
        rows: impl IntoIterator<Item = Row>,
        timeout_ms: Option<u64>,
    ) -> Op {
        let kind = Kind::Wait {
            wheres: conditions.into_iter().collect(),
            columns: strings(columns),
            until,
            rows: rows.into_iter().collect(),
            timeout_ms,
        };
        Op::on(table, kind)
    }

    /// Text for the server's log, attached to the transaction.
    pub fn comment(text: &str) -> Op {
        Op {
            table: None,
            kind: Kind::Comment(text.to_string()),
        }
    }

    /// `"select"`, `"insert"`, ...: how errors name the operation.
    pub fn name(&self) -> &'static str {
        match self.kind {
            Kind::Select { .. } => "select",
            Kind::Insert { .. } => "insert",
            Kind::Update { .. } => "update",
            Kind::Mutate { .. } => "mutate",
            Kind::Delete { .. } => "delete",
            Kind::Wait { .. } => "wait",
            Kind::Comment(_) => "comment",
        }
    }

    /// The operation as JSON, as it goes on the wire (for logs and tests;
    /// a request is written without this intermediate value).
    pub fn to_json(&self) -> Json {
        crate::types::to_json(self)
    }
}

fn strings(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| c.to_string()).collect()
}

impl Serialize for Op {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("op", self.name())?;
        if let Some(table) = &self.table {
            m.serialize_entry("table", table)?;
        }
        match &self.kind {
            Kind::Select { wheres, columns } => {
                m.serialize_entry("where", wheres)?;
                if let Some(columns) = columns {
                    m.serialize_entry("columns", columns)?;
                }
            }
            Kind::Insert { row, uuid_name } => {
                m.serialize_entry("row", row)?;
                if let Some(name) = uuid_name {
                    m.serialize_entry("uuid-name", name)?;
                }
            }
            Kind::Update { wheres, row } => {
                m.serialize_entry("where", wheres)?;
                m.serialize_entry("row", row)?;
            }
            Kind::Mutate { wheres, mutations } => {
                m.serialize_entry("where", wheres)?;
                m.serialize_entry("mutations", mutations)?;
            }
            Kind::Delete { wheres } => m.serialize_entry("where", wheres)?,
            Kind::Wait {
                wheres,
                columns,
                until,
                rows,
                timeout_ms,
            } => {
                m.serialize_entry("where", wheres)?;
                m.serialize_entry("columns", columns)?;
                let until = match until {
                    Until::Eq => "==",
                    Until::Ne => "!=",
                };
                m.serialize_entry("until", until)?;
                m.serialize_entry("rows", rows)?;
                if let Some(ms) = timeout_ms {
                    m.serialize_entry("timeout", ms)?;
                }
            }
            Kind::Comment(text) => m.serialize_entry("comment", text)?,
        }
        m.end()
    }
}
