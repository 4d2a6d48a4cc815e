//! What a provider declares: an identified object, its attributes, its dependencies.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Attributes of a resource, as plain JSON values so plans are data.
pub type Attrs = serde_json::Map<String, serde_json::Value>;

/// `kind/name`, e.g. `link/dummy1` or `address/dummy1/10.0.2.2/24`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResourceId(pub String);

impl ResourceId {
    pub fn new(kind: &str, name: &str) -> Self {
        ResourceId(format!("{kind}/{name}"))
    }

    /// The part before the first `/`.
    pub fn kind(&self) -> &str {
        self.0.split_once('/').map_or(&self.0, |(k, _)| k)
    }

    /// The part after the first `/`.
    pub fn name(&self) -> &str {
        self.0.split_once('/').map_or("", |(_, n)| n)
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One desired object.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub id: ResourceId,
    /// The [`Provider::name`](crate::Provider::name) that carries it out.
    pub provider: String,
    /// Only these attributes are managed; the object's others are left alone.
    pub attrs: Attrs,
    /// Resources that must exist (and be converged) before this one.
    pub deps: Vec<ResourceId>,
    /// Attributes that cannot change in place: a difference means delete and create.
    pub replace_on: Vec<String>,
}
