//! What a provider declares: an identified object, its attributes, its dependencies.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use crate::attrs::Attrs;
use crate::text::Text;

/// The kind of a resource (`link`, `ovs-port`): each provider family defines
/// its kinds once, as constants, and compares kinds, never text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Kind(Text);

impl Kind {
    pub const fn new(name: &'static str) -> Kind {
        Kind(Text::Static(name))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// A kind read from text (a plan, the state): one shared copy of each
    /// name, not one per id read. A state of ten thousand bridges names a
    /// handful of kinds forty thousand times.
    fn read(name: &str) -> Kind {
        /// Kinds kept: more than any set of families has; text naming
        /// others still reads, each with a copy of its own.
        const MOST: usize = 64;
        static READ: Mutex<Vec<Arc<str>>> = Mutex::new(Vec::new());
        let mut read = READ.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(kind) = read.iter().find(|k| ***k == *name) {
            return Kind(Text::Shared(kind.clone()));
        }
        let kind: Arc<str> = name.into();
        if read.len() < MOST {
            read.push(kind.clone());
        }
        Kind(Text::Shared(kind))
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// The name of a provider (`netlink`, `ovs`): each provider family defines
/// its name once, as a constant, and compares names, never text. Written as
/// the bare name in plans and state.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProviderName(Text);

impl ProviderName {
    pub const fn new(name: &'static str) -> ProviderName {
        ProviderName(Text::Static(name))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for ProviderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl From<&'static str> for ProviderName {
    fn from(name: &'static str) -> Self {
        ProviderName::new(name)
    }
}

impl PartialEq<str> for ProviderName {
    fn eq(&self, other: &str) -> bool {
        self.0.as_str() == other
    }
}

impl PartialEq<&str> for ProviderName {
    fn eq(&self, other: &&str) -> bool {
        self.0.as_str() == *other
    }
}

impl Serialize for ProviderName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for ProviderName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|name| ProviderName(name.into()))
    }
}

/// A resource's identity: its kind and a name unique within the kind, e.g.
/// `link/dummy1` or `address/dummy1/10.0.2.2/24`. Written `KIND/NAME` in
/// plans and state; the name's own structure is its family's business (each
/// family builds and reads its ids in one place).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceId {
    kind: Kind,
    /// Shared: an id is cloned into every change and state entry about it.
    name: Arc<str>,
}

/// Text that is not `KIND/NAME`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a resource id (KIND/NAME)")]
pub struct BadId(pub String);

impl ResourceId {
    pub fn new(kind: &Kind, name: impl Into<String>) -> Self {
        ResourceId {
            kind: kind.clone(),
            name: name.into().into(),
        }
    }

    pub fn kind(&self) -> &Kind {
        &self.kind
    }

    pub fn is(&self, kind: &Kind) -> bool {
        self.kind == *kind
    }

    /// Unique within the kind.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reads `KIND/NAME` (as plans and state write it).
    pub fn parse(text: &str) -> Result<Self, BadId> {
        match text.split_once('/') {
            Some((kind, name)) if !kind.is_empty() && !name.is_empty() => Ok(ResourceId {
                kind: Kind::read(kind),
                name: name.into(),
            }),
            _ => Err(BadId(text.to_string())),
        }
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind, self.name)
    }
}

impl Serialize for ResourceId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ResourceId {
    /// Read from the text where it lies, without a copy of its own first.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Id;
        impl serde::de::Visitor<'_> for Id {
            type Value = ResourceId;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a resource id (KIND/NAME)")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<ResourceId, E> {
                ResourceId::parse(text).map_err(E::custom)
            }
        }
        d.deserialize_str(Id)
    }
}

/// One desired object.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub id: ResourceId,
    /// The [`Provider::name`](crate::Provider::name) that carries it out.
    pub provider: ProviderName,
    /// Only these attributes are managed; the object's others are left alone.
    /// Shared with the plan's changes that make them.
    pub attrs: Arc<Attrs>,
    /// Resources that must exist (and be converged) before this one. Each
    /// must be among the desired resources: planning refuses an unknown one.
    pub deps: Vec<ResourceId>,
    /// Attributes that cannot change in place: a difference means delete and create.
    pub replace_on: &'static [&'static str],
    /// The resource (among `deps`) that makes what this one's provider
    /// talks to: OVSDB comes with Kolla's deploy. While it is being made,
    /// a provider that cannot observe yet means "wait", not "unavailable".
    pub provided_by: Option<ResourceId>,
    /// Someone else's object that aio reads and never changes (Octavia's
    /// network, owned by Kolla's role): a difference is a [`Conflict`]
    /// for a person to resolve, not a change; absent, nothing is checked.
    ///
    /// [`Conflict`]: crate::Conflict
    pub checked: bool,
}

impl Resource {
    /// A resource with no attributes or dependencies yet.
    pub fn new(id: ResourceId, provider: impl Into<ProviderName>) -> Self {
        Resource {
            id,
            provider: provider.into(),
            attrs: Arc::default(),
            deps: Vec::new(),
            replace_on: &[],
            provided_by: None,
            checked: false,
        }
    }

    /// Read and compared, never changed: see [`Resource::checked`].
    pub fn checked_only(mut self) -> Self {
        self.checked = true;
        self
    }

    /// With `attrs` as its managed attributes.
    pub fn with_attrs(mut self, attrs: Attrs) -> Self {
        self.attrs = Arc::new(attrs);
        self
    }

    /// After `dep`.
    pub fn after(mut self, dep: ResourceId) -> Self {
        // Most resources have one or two: no room kept for more.
        self.deps.reserve_exact(1);
        self.deps.push(dep);
        self
    }

    /// After `dep`, which makes what this resource's provider talks to.
    pub fn provided_by(mut self, dep: ResourceId) -> Self {
        self.deps.reserve_exact(1);
        self.deps.push(dep.clone());
        self.provided_by = Some(dep);
        self
    }

    /// Replaced, not updated, when one of `keys` differs.
    pub fn replaced_on(mut self, keys: &'static [&'static str]) -> Self {
        self.replace_on = keys;
        self
    }
}

/// Typed attributes to and from the engine's attribute map: a family
/// declares its attributes as a serde struct and converts at the seam.
pub trait TypedAttrs: Serialize + serde::de::DeserializeOwned {
    fn to_attrs(&self) -> Attrs {
        serde_json::to_value(self)
            .ok()
            .and_then(Attrs::from_value)
            .unwrap_or_default()
    }

    fn from_attrs(attrs: &Attrs) -> Result<Self, serde_json::Error> {
        attrs.to_typed()
    }
}

impl<T: Serialize + serde::de::DeserializeOwned> TypedAttrs for T {}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: Kind = Kind::new("link");

    #[test]
    fn ids_read_back_as_written() {
        let id = ResourceId::new(&Kind::new("address"), "dummy1/10.0.2.2/24");
        let text = serde_json::to_string(&id).unwrap();
        assert_eq!(text, "\"address/dummy1/10.0.2.2/24\"");
        let back: ResourceId = serde_json::from_str(&text).unwrap();
        assert_eq!(back, id);
        assert_eq!(back.name(), "dummy1/10.0.2.2/24");
    }

    #[test]
    fn a_kind_compares_by_value_whatever_its_origin() {
        let parsed = ResourceId::parse("link/br0").unwrap();
        assert!(parsed.is(&LINK));
        assert_eq!(parsed, ResourceId::new(&LINK, "br0"));
        // Each id read names the one copy of its kind.
        let again: ResourceId = serde_json::from_str("\"link/br1\"").unwrap();
        match (&parsed.kind.0, &again.kind.0) {
            (Text::Shared(a), Text::Shared(b)) => assert!(Arc::ptr_eq(a, b)),
            other => panic!("kinds read are shared: {other:?}"),
        }
    }

    #[test]
    fn a_provider_name_is_written_as_the_bare_name() {
        const NETLINK: ProviderName = ProviderName::new("netlink");
        let r = Resource::new(ResourceId::new(&LINK, "br0"), NETLINK);
        assert_eq!(serde_json::to_value(&r.provider).unwrap(), "netlink");
        let back: ProviderName = serde_json::from_str("\"netlink\"").unwrap();
        assert_eq!(back, NETLINK);
        assert_eq!(back.to_string(), "netlink");
    }

    #[test]
    fn text_without_kind_or_name_is_refused() {
        for bad in ["link", "/br0", "link/", ""] {
            assert!(ResourceId::parse(bad).is_err(), "{bad}");
            assert!(serde_json::from_str::<ResourceId>(&format!("\"{bad}\"")).is_err());
        }
    }
}
