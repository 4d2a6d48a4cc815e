//! Link names and their indexes: changes name links, requests need indexes.

use std::collections::HashMap;

/// Link names and their indexes, as the provider last saw them.
pub type Indexes = HashMap<String, u32>;

pub fn index_of(ix: &Indexes, name: &str) -> Option<u32> {
    ix.get(name).copied()
}
