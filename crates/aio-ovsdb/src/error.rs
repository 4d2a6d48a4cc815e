//! The errors of the client: connection errors name the server's address,
//! transaction errors name the failed operation, data errors the column.

use std::time::Duration;

use crate::address::Address;
use crate::schema::SchemaError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Address(#[from] crate::address::AddressError),
    #[error("cannot connect to OVSDB at {address}: {source}")]
    Connect {
        address: Address,
        source: std::io::Error,
    },
    #[error("cannot connect to OVSDB at {address}: no answer within {:.1} s", after.as_secs_f64())]
    ConnectTimeout { address: Address, after: Duration },
    /// The connection is gone; every request waiting on it gets this.
    #[error("connection to OVSDB at {address} lost: {reason}")]
    Closed { address: Address, reason: String },
    #[error("OVSDB at {address} did not answer `{method}` within {:.1} s", after.as_secs_f64())]
    Timeout {
        address: Address,
        method: String,
        after: Duration,
    },
    /// The server sent something that is not OVSDB JSON-RPC.
    #[error("OVSDB at {address} broke the protocol: {message}")]
    Protocol { address: Address, message: String },
    /// The request as a whole was refused (the response's `error` member),
    /// e.g. "unknown database".
    #[error("OVSDB `{method}` failed: {}", describe(error, details))]
    Rpc {
        method: String,
        error: String,
        details: Option<String>,
    },
    /// Operation `index` of a transaction failed, so none of it was
    /// committed; `error` is the server's error tag ("timed out",
    /// "constraint violation", ...).
    #[error(
        "operation {index} ({op}) of the transaction failed: {}",
        describe(error, details)
    )]
    Operation {
        index: usize,
        op: &'static str,
        error: String,
        details: Option<String>,
    },
    /// Every operation succeeded but the commit did not, e.g. a
    /// "referential integrity violation" only checked at the end.
    #[error("the transaction failed at commit: {}", describe(error, details))]
    Commit {
        error: String,
        details: Option<String>,
    },
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error("unexpected OVSDB data: {0}")]
    Data(#[from] DataError),
}

/// The most of a server's text an error keeps: a peer's 5 MB "error" is
/// not worth repeating.
pub const MAX_TEXT: usize = 1024;

/// `text` cut to [`MAX_TEXT`] bytes (at a character boundary), saying how much was left out.
pub fn bounded(text: &str) -> String {
    if text.len() <= MAX_TEXT {
        return text.to_string();
    }
    let mut end = MAX_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} more bytes)", &text[..end], text.len() - end)
}

fn describe(error: &str, details: &Option<String>) -> String {
    match details {
        Some(details) => format!("{error}: {details}"),
        None => error.to_string(),
    }
}

impl Error {
    /// The server's error tag for RPC, operation and commit failures.
    pub fn server_error(&self) -> Option<&str> {
        match self {
            Error::Rpc { error, .. }
            | Error::Operation { error, .. }
            | Error::Commit { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Data that does not have the shape a reader asked for.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    #[error("expected {expected}, found {found}")]
    Unexpected {
        expected: &'static str,
        found: String,
    },
    #[error("the row has no column `{0}`")]
    MissingColumn(String),
    #[error("column `{column}`: {source}")]
    Column {
        column: String,
        source: Box<DataError>,
    },
    /// JSON that is not OVSDB data at all, as the JSON reader put it.
    #[error("{0}")]
    Invalid(String),
}

impl From<serde_json::Error> for DataError {
    fn from(e: serde_json::Error) -> DataError {
        DataError::Invalid(bounded(&e.to_string()))
    }
}

pub(crate) fn unexpected(expected: &'static str, found: impl std::fmt::Display) -> DataError {
    DataError::Unexpected {
        expected,
        found: found.to_string(),
    }
}
