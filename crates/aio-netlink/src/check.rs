//! What the provider refuses before anything is applied: any change to a
//! protected interface (the uplink, an interface with a default route), a
//! link it cannot create, a master that is not a bridge.

use aio_engine::{Action, Change, ProviderError, ResourceId, TypedAttrs};

use crate::dump::Snapshot;
use crate::id::NetId;
use crate::link::attrs::LinkAttrs;
use crate::link::id::LinkId;

/// The interfaces aio never modifies, whatever a change says.
#[derive(Debug, Clone, Default)]
pub struct Protected(Vec<String>);

impl Protected {
    pub fn new(names: Vec<String>) -> Protected {
        Protected(names)
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|p| p == name)
    }

    /// Whether `id` is about a protected interface.
    pub fn touched_by(&self, id: &ResourceId) -> bool {
        NetId::of(id).is_some_and(|n| self.has(n.interface()))
    }
}

/// Refuses `change` if the system, as `snapshot` last saw it, cannot take it.
pub fn check(
    change: &Change,
    snapshot: &Snapshot,
    protected: &Protected,
) -> Result<(), ProviderError> {
    if protected.touched_by(&change.id) {
        return Err(ProviderError::refused(
            "this would modify the uplink, which aio never does",
        ));
    }
    let (Some(after), Some(NetId::Link(_))) = (&change.after, NetId::of(&change.id)) else {
        return Ok(());
    };
    let after = LinkAttrs::from_attrs(after)
        .map_err(|e| ProviderError::invalid(format!("{}: {e}", change.id)))?;
    if change.action == Action::Create && after.kind.is_none() {
        return Err(ProviderError::refused(format!(
            "interface \"{}\" does not exist, and without `type` aio does not create it: add `type` or create it first",
            change.id.name()
        )));
    }
    let Some(master) = after.master.as_deref() else {
        return Ok(());
    };
    let declared = change.deps.contains(&LinkId::new(master).into());
    match snapshot.link(master) {
        // Not asked for: the kernel refuses a missing master itself.
        None if snapshot.partial => Ok(()),
        None if !declared => Err(ProviderError::refused(format!(
            "master \"{master}\" does not exist and is not declared"
        ))),
        Some(l) if l.kind.as_deref() != Some("bridge") && !declared => Err(ProviderError::refused(
            format!("master \"{master}\" is not a bridge"),
        )),
        _ if protected.has(master) => Err(ProviderError::refused("the uplink cannot be a master")),
        _ => Ok(()),
    }
}
