//! The `result` of a `transact` (RFC 7047 section 4.1.3), checked.
//!
//! The response carries one element per operation. When an operation fails
//! its element is `{"error": …, "details": …}`, the operations after it are
//! not run and their elements are `null`. When every operation succeeds but
//! the commit fails (a reference to a missing row, a constraint), the server
//! appends one more element, after the last operation, holding that error.
//! Either way nothing was committed, so any error fails the whole call.

use serde::{Deserialize, Deserializer};
use serde_json::Value as Json;
use serde_json::value::RawValue;

use crate::address::Address;
use crate::error::{DataError, Error, unexpected};
use crate::ops::Op;
use crate::row::Row;
use crate::types::{Atom, Datum};

/// What one successful operation returned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpResult {
    /// `insert`: the new row's UUID.
    pub uuid: Option<String>,
    /// `select`: the rows.
    pub rows: Option<Vec<Row>>,
    /// `update`, `mutate`, `delete`: how many rows matched.
    pub count: Option<u64>,
}

impl OpResult {
    /// The rows of a `select`, or none.
    pub fn rows(&self) -> &[Row] {
        self.rows.as_deref().unwrap_or_default()
    }

    /// The rows of a `select`, taken out.
    pub fn into_rows(self) -> Vec<Row> {
        self.rows.unwrap_or_default()
    }
}

/// What an element of a `transact` result says of failure: present (even
/// `null`) when the operation or the commit failed.
#[derive(Deserialize)]
struct Failure {
    #[serde(default, deserialize_with = "present")]
    error: Option<Json>,
    #[serde(default)]
    details: Option<Json>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Json>, D::Error> {
    Json::deserialize(d).map(Some)
}

/// What a successful operation returned, as it comes.
#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    uuid: Option<Datum>,
    #[serde(default)]
    rows: Option<Vec<Row>>,
    #[serde(default)]
    count: Option<Json>,
}

impl Item {
    /// The outcome an element describes; `null` (an operation not run) is an empty one.
    fn read(text: &str) -> Result<OpResult, DataError> {
        let Some(item) = serde_json::from_str::<Option<Item>>(text)? else {
            return Ok(OpResult::default());
        };
        let uuid = match item.uuid {
            Some(Datum::Atom(Atom::Uuid(u))) => Some(u),
            Some(other) => return Err(unexpected("a uuid", other)),
            None => None,
        };
        Ok(OpResult {
            uuid,
            rows: item.rows,
            count: item.count.as_ref().and_then(Json::as_u64),
        })
    }
}

/// The results of `ops` from the server at `address`, or the first error
/// among them. `result` is the response's text: each element is looked at
/// for an error first, then read into rows, without a JSON tree between.
pub(crate) fn check(
    address: &Address,
    ops: &[Op],
    result: Option<&RawValue>,
) -> Result<Vec<OpResult>, Error> {
    let protocol = |message| Error::Protocol {
        address: address.clone(),
        message,
    };
    let text = result.map_or("null", RawValue::get);
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|_| {
        protocol(format!(
            "transact result is not an array: {}",
            crate::error::bounded(text)
        ))
    })?;
    let failed = items.iter().enumerate().find_map(|(index, item)| {
        let failure = serde_json::from_str::<Failure>(item.get()).ok()?;
        Some((index, failure.error?, failure.details))
    });
    if let Some((index, error, details)) = failed {
        let error = crate::error::bounded(
            &error
                .as_str()
                .map_or_else(|| error.to_string(), str::to_string),
        );
        let details = details
            .as_ref()
            .and_then(Json::as_str)
            .map(crate::error::bounded);
        return Err(match ops.get(index) {
            Some(op) => Error::Operation {
                index,
                op: op.name(),
                error,
                details,
            },
            None => Error::Commit { error, details },
        });
    }
    if items.len() < ops.len() {
        return Err(protocol(format!(
            "{} results for {} operations",
            items.len(),
            ops.len()
        )));
    }
    let results = items[..ops.len()].iter().map(|item| Item::read(item.get()));
    Ok(results.collect::<Result<_, _>>()?)
}
