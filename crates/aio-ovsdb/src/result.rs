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

/// One element of a `transact` result as it comes: an operation's error, its
/// outcome, or `null` for an operation not run after an error.
#[derive(Deserialize)]
pub(crate) struct Item {
    /// Present (even if `null`) when the operation or the commit failed.
    #[serde(default, deserialize_with = "present")]
    error: Option<Json>,
    #[serde(default)]
    details: Option<Json>,
    #[serde(default)]
    uuid: Option<Datum>,
    #[serde(default)]
    rows: Option<Vec<Row>>,
    #[serde(default)]
    count: Option<Json>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Json>, D::Error> {
    Json::deserialize(d).map(Some)
}

impl Item {
    fn into_result(self) -> Result<OpResult, DataError> {
        let uuid = match self.uuid {
            Some(Datum::Atom(Atom::Uuid(u))) => Some(u),
            Some(other) => return Err(unexpected("a uuid", other)),
            None => None,
        };
        Ok(OpResult {
            uuid,
            rows: self.rows,
            count: self.count.as_ref().and_then(Json::as_u64),
        })
    }
}

/// The results of `ops` from the server at `address`, or the first error among them.
pub(crate) fn check(
    address: &Address,
    ops: &[Op],
    items: Vec<Option<Item>>,
) -> Result<Vec<OpResult>, Error> {
    let failed = items.iter().enumerate().find_map(|(index, item)| {
        let item = item.as_ref()?;
        Some((index, item.error.as_ref()?, item))
    });
    if let Some((index, error, item)) = failed {
        let error = crate::error::bounded(
            &error
                .as_str()
                .map_or_else(|| error.to_string(), str::to_string),
        );
        let details = item
            .details
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
        return Err(Error::Protocol {
            address: address.clone(),
            message: format!("{} results for {} operations", items.len(), ops.len()),
        });
    }
    let results = items
        .into_iter()
        .take(ops.len())
        .map(|item| item.map_or_else(|| Ok(OpResult::default()), Item::into_result));
    Ok(results.collect::<Result<_, _>>()?)
}
