//! An address as observed: there or not, and whose.

use aio_engine::{Attrs, Identity, TypedAttrs};

use crate::address::attrs::AddressAttrs;
use crate::address::id::AddressId;
use crate::dump::Snapshot;
use crate::link::observed::identity as link_identity;

/// The attributes and identity of address `id`, if `snapshot` shows it on
/// its interface. An address is its link's: made again with it, it is
/// another.
pub fn observed(snapshot: &Snapshot, id: &AddressId) -> Option<(Attrs, Identity)> {
    let link = snapshot.link(&id.iface)?;
    snapshot
        .addrs_of(link.index)
        .any(|a| a.net == id.cidr)
        .then(|| (AddressAttrs::from(id).to_attrs(), link_identity(link)))
}
