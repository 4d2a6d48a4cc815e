//! The operations of a `transact` request (RFC 7047 section 5.2), built from
//! typed parts and kept as the JSON that goes on the wire.
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

use serde_json::{Map, Value as Json, json};

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
    name: &'static str,
    json: Json,
}

impl Op {
    fn new(name: &'static str, table: Option<&str>, fields: Json) -> Op {
        let mut object = Map::new();
        object.insert("op".into(), json!(name));
        if let Some(table) = table {
            object.insert("table".into(), json!(table));
        }
        if let Json::Object(fields) = fields {
            object.extend(fields);
        }
        Op {
            name,
            json: Json::Object(object),
        }
    }

    /// All columns of the rows matching `conditions` (all rows when there are none).
    pub fn select(table: &str, conditions: impl IntoIterator<Item = Condition>) -> Op {
        Op::new("select", Some(table), json!({"where": wheres(conditions)}))
    }

    /// Like [`Op::select`], with only `columns` (`_uuid` is a column too).
    pub fn select_columns(
        table: &str,
        conditions: impl IntoIterator<Item = Condition>,
        columns: &[&str],
    ) -> Op {
        let mut op = Op::select(table, conditions);
        op.json["columns"] = json!(columns);
        op
    }

    /// A new row; `uuid_name` lets later operations of the same transaction
    /// refer to it as `Atom::NamedUuid(uuid_name)`.
    pub fn insert(table: &str, row: Row, uuid_name: Option<&str>) -> Op {
        let mut op = Op::new("insert", Some(table), json!({"row": row.to_json()}));
        if let Some(name) = uuid_name {
            op.json["uuid-name"] = json!(name);
        }
        op
    }

    pub fn update(table: &str, conditions: impl IntoIterator<Item = Condition>, row: Row) -> Op {
        let fields = json!({"where": wheres(conditions), "row": row.to_json()});
        Op::new("update", Some(table), fields)
    }

    pub fn mutate(
        table: &str,
        conditions: impl IntoIterator<Item = Condition>,
        mutations: impl IntoIterator<Item = Mutation>,
    ) -> Op {
        let mutations: Vec<Json> = mutations.into_iter().map(|m| m.to_json()).collect();
        let fields = json!({"where": wheres(conditions), "mutations": mutations});
        Op::new("mutate", Some(table), fields)
    }

    pub fn delete(table: &str, conditions: impl IntoIterator<Item = Condition>) -> Op {
        Op::new("delete", Some(table), json!({"where": wheres(conditions)}))
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
        let rows: Vec<Json> = rows.into_iter().map(|r| r.to_json()).collect();
        let until = match until {
            Until::Eq => "==",
            Until::Ne => "!=",
        };
        let mut op = Op::new(
            "wait",
            Some(table),
            json!({"where": wheres(conditions), "columns": columns, "until": until, "rows": rows}),
        );
        if let Some(ms) = timeout_ms {
            op.json["timeout"] = json!(ms);
        }
        op
    }

    /// Text for the server's log, attached to the transaction.
    pub fn comment(text: &str) -> Op {
        Op::new("comment", None, json!({"comment": text}))
    }

    /// `"select"`, `"insert"`, ...: how errors name the operation.
    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn to_json(&self) -> &Json {
        &self.json
    }
}

fn wheres(conditions: impl IntoIterator<Item = Condition>) -> Vec<Json> {
    conditions.into_iter().map(|c| c.to_json()).collect()
}
