//! A link as observed: its attributes as a dump shows them and its identity.

use aio_engine::{Attrs, Identity};

use crate::dump::Snapshot;
use crate::link::attrs::{LinkAttrs, LinkState};
use crate::link::dump::Link;
use crate::link::mark::identity as mark_identity;

/// `link`'s attributes, the links it names by index named.
pub fn attrs(snapshot: &Snapshot, link: &Link) -> Attrs {
    let name = |index: Option<u32>| index.and_then(|i| snapshot.name_of(i)).map(str::to_string);
    let veth = link.kind.as_deref() == Some("veth");
    LinkAttrs {
        kind: link.kind.clone(),
        peer: if veth { name(link.link) } else { None },
        master: name(link.master),
        state: Some(if link.up {
            LinkState::Up
        } else {
            LinkState::Down
        }),
        mtu: link.mtu,
    }
    .live()
}

/// A link is its kind, its ifindex and aio's mark: a link of the same name
/// made again gets a new index, or, if given the same one, has no mark.
pub fn identity(link: &Link) -> Identity {
    mark_identity(link.kind.as_deref(), link.index, link.alias.as_deref())
}
