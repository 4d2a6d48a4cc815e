//! The parts of operations: conditions (`where`) select rows, mutations
//! change a column relative to its current value.

use serde::{Serialize, Serializer};
use serde_json::Value as Json;

use crate::types::Datum;

/// A condition function (RFC 7047 section 5.1, `<function>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Lt,
    Le,
    Eq,
    Ne,
    Ge,
    Gt,
    Includes,
    Excludes,
}

impl Function {
    pub fn as_str(self) -> &'static str {
        match self {
            Function::Lt => "<",
            Function::Le => "<=",
            Function::Eq => "==",
            Function::Ne => "!=",
            Function::Ge => ">=",
            Function::Gt => ">",
            Function::Includes => "includes",
            Function::Excludes => "excludes",
        }
    }
}

/// `[column, function, value]`: rows whose `column` satisfies the function.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub column: String,
    pub function: Function,
    pub value: Datum,
}

impl Condition {
    pub fn new(column: &str, function: Function, value: impl Into<Datum>) -> Condition {
        Condition {
            column: column.to_string(),
            function,
            value: value.into(),
        }
    }

    pub fn eq(column: &str, value: impl Into<Datum>) -> Condition {
        Condition::new(column, Function::Eq, value)
    }

    pub fn ne(column: &str, value: impl Into<Datum>) -> Condition {
        Condition::new(column, Function::Ne, value)
    }

    pub fn includes(column: &str, value: impl Into<Datum>) -> Condition {
        Condition::new(column, Function::Includes, value)
    }

    pub fn excludes(column: &str, value: impl Into<Datum>) -> Condition {
        Condition::new(column, Function::Excludes, value)
    }

    pub fn to_json(&self) -> Json {
        crate::types::to_json(self)
    }
}

impl Serialize for Condition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (&self.column, self.function.as_str(), &self.value).serialize(s)
    }
}

/// A mutator (RFC 7047 section 5.1, `<mutator>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutator {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    /// Add elements to a set, or pairs to a map (existing keys are kept).
    Insert,
    /// Remove elements from a set, or keys (a set) or pairs (a map) from a map.
    Delete,
}

impl Mutator {
    pub fn as_str(self) -> &'static str {
        match self {
            Mutator::Add => "+=",
            Mutator::Sub => "-=",
            Mutator::Mul => "*=",
            Mutator::Div => "/=",
            Mutator::Rem => "%=",
            Mutator::Insert => "insert",
            Mutator::Delete => "delete",
        }
    }
}

/// `[column, mutator, value]`: a change relative to the column's current value.
#[derive(Debug, Clone, PartialEq)]
pub struct Mutation {
    pub column: String,
    pub mutator: Mutator,
    pub value: Datum,
}

impl Mutation {
    pub fn new(column: &str, mutator: Mutator, value: impl Into<Datum>) -> Mutation {
        Mutation {
            column: column.to_string(),
            mutator,
            value: value.into(),
        }
    }

    pub fn insert(column: &str, value: impl Into<Datum>) -> Mutation {
        Mutation::new(column, Mutator::Insert, value)
    }

    pub fn delete(column: &str, value: impl Into<Datum>) -> Mutation {
        Mutation::new(column, Mutator::Delete, value)
    }

    pub fn to_json(&self) -> Json {
        crate::types::to_json(self)
    }
}

impl Serialize for Mutation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (&self.column, self.mutator.as_str(), &self.value).serialize(s)
    }
}
