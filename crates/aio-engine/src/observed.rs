//! What a provider saw: the live attributes of the resources that exist and,
//! where the system gives one, what identifies each object beyond its name.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::attrs::Attrs;
use crate::resource::ResourceId;

/// What tells one live object from another of the same name: a link's kind
/// and ifindex, an OVS row's `_uuid`, an nftables rule's handle. Opaque to
/// the engine, compared for equality only. An object aio made whose identity
/// changed was deleted and made again by someone else: it is not aio's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Identity(pub String);

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Live {
    attrs: Attrs,
    identity: Option<Identity>,
}

/// Live attributes of the resources that exist; absent ids do not exist.
/// Looked up by id only, never walked: hashed (with foldhash: a plan of
/// thousands of resources looks each up several times), not sorted. The
/// objects sit in one list and the hash table holds their positions: a
/// table of the objects themselves would leave up to half its room empty,
/// each slot the size of an object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    objects: IndexMap<ResourceId, Live, crate::FastHash>,
}

impl Observed {
    pub fn new() -> Self {
        Observed::default()
    }

    /// Room for `n` objects: a provider that knows how many it may see
    /// spares the table its growth (at each doubling, old and new at once).
    pub fn with_capacity(n: usize) -> Self {
        Observed {
            objects: IndexMap::with_capacity_and_hasher(n, Default::default()),
        }
    }

    /// An object the system gives no identity for (a sysctl, a file).
    pub fn insert(&mut self, id: ResourceId, attrs: Attrs) {
        self.objects.insert(
            id,
            Live {
                attrs,
                identity: None,
            },
        );
    }

    /// An object with what identifies it beyond its name.
    pub fn insert_identified(&mut self, id: ResourceId, attrs: Attrs, identity: Identity) {
        self.objects.insert(
            id,
            Live {
                attrs,
                identity: Some(identity),
            },
        );
    }

    pub fn get(&self, id: &ResourceId) -> Option<&Attrs> {
        self.objects.get(id).map(|l| &l.attrs)
    }

    pub fn identity(&self, id: &ResourceId) -> Option<&Identity> {
        self.objects.get(id).and_then(|l| l.identity.as_ref())
    }

    pub fn contains(&self, id: &ResourceId) -> bool {
        self.objects.contains_key(id)
    }

    pub fn extend(&mut self, other: Observed) {
        // The first provider's objects are taken whole, not re-inserted.
        if self.objects.is_empty() {
            self.objects = other.objects;
        } else {
            self.objects.extend(other.objects);
        }
    }
}

impl FromIterator<(ResourceId, Attrs)> for Observed {
    fn from_iter<I: IntoIterator<Item = (ResourceId, Attrs)>>(iter: I) -> Self {
        let mut out = Observed::new();
        for (id, attrs) in iter {
            out.insert(id, attrs);
        }
        out
    }
}
