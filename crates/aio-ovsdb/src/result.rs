//! The `result` of a `transact` (RFC 7047 section 4.1.3), checked.
//!
//! The response carries one element per operation. When an operation fails
//! its element is `{"error": …, "details": …}`, the operations after it are
//! not run and their elements are `null`. When every operation succeeds but
//! the commit fails (a reference to a missing row, a constraint), the server
//! appends one more element, after the last operation, holding that error.
//! Either way nothing was committed, so any error fails the whole call.

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
    fn from_json(json: &Json) -> Result<OpResult, DataError> {
        let uuid = match json.get("uuid") {
            Some(uuid) => match Datum::from_json(uuid)? {
                Datum::Atom(Atom::Uuid(u)) => Some(u),
                other => return Err(unexpected("a uuid", other)),
            },
            None => None,
        };
        let rows = match json.get("rows") {
            Some(Json::Array(rows)) => {
                Some(rows.iter().map(Row::from_json).collect::<Result<_, _>>()?)
            }
            Some(other) => return Err(unexpected("rows", other)),
            None => None,
        };
        Ok(OpResult {
            uuid,
            rows,
            count: json.get("count").and_then(Json::as_u64),
        })
    }

    /// The rows of a `select`, or none.
    pub fn rows(&self) -> &[Row] {
        self.rows.as_deref().unwrap_or_default()
    }
}

/// The results of `ops` from the server at `address`, or the first error among them.
pub(crate) fn check(address: &Address, ops: &[Op], result: Json) -> Result<Vec<OpResult>, Error> {
    let protocol = |message| Error::Protocol {
        address: address.clone(),
        message,
    };
    let Json::Array(items) = result else {
        return Err(protocol(format!(
            "transact result is not an array: {}",
            crate::error::bounded(&result.to_string())
        )));
    };
    if let Some((index, item)) = items
        .iter()
        .enumerate()
        .find(|(_, i)| i.get("error").is_some())
    {
        let error = &item["error"];
        let error = crate::error::bounded(
            &error
                .as_str()
                .map_or_else(|| error.to_string(), str::to_string),
        );
        let details = item
            .get("details")
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
    let results = items[..ops.len()].iter().map(OpResult::from_json);
    Ok(results.collect::<Result<_, _>>()?)
}
