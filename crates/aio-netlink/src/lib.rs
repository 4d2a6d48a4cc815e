//! The netlink provider: Linux links and addresses through rtnetlink,
//! arranged by object.
//!
//! - [`link`] and [`address`]: each object's typed id ([`LinkId`],
//!   [`AddressId`], converting to and from the engine's `ResourceId`), its
//!   attributes, its dump, the resources `[interfaces]` declares, what
//!   observe sees, and the requests that change it. [`link::mark`] is what
//!   makes a link aio's beyond its name and ifindex: the alias `aio:TOKEN`
//!   set on every link aio creates or adopts. The text of the ids
//!   (`link/NAME`, `address/NAME/CIDR`) is written and split in one place,
//!   [`aio_family::ids`], as other families depend on them;
//! - [`Snapshot`]: one link dump and one address dump (or a few links asked
//!   for by name), beside the kernel's announcements for `aio watch`
//!   ([`events`]);
//! - [`connect`] opens a netlink socket in a network namespace (or here),
//!   whose link messages are cut down to what aio reads; [`shared_connection`]
//!   is the run's one connection, kept in the families' shared slots;
//! - [`facts`] finds the uplink (IPv4 default route, lowest metric) and its
//!   address, every interface a default route goes through, every link name;
//! - [`NetlinkProvider`] observes links and addresses and carries out
//!   changes (a failed one is a [`ChangeError`] with a [`ChangeErrorKind`]),
//!   never touching the uplink;
//! - [`Links`] is the family the run opens: the facts, all of the above, and
//!   the kernel's announcements.

pub mod address;
mod change;
mod change_error;
mod check;
mod connection;
mod dump;
mod error;
mod events;
mod facts;
mod family;
pub mod id;
mod indexes;
mod known;
mod lean;
pub mod link;
mod name;
mod primed;
mod provider;
mod raw;
mod resources;
mod route;

pub use address::dump::Addr;
pub use address::id::AddressId;
pub use aio_family::ids::IdError;
pub use change_error::{ChangeError, ChangeErrorKind, OpError};
pub use connection::{connect, shared as shared_connection};
pub use dump::Snapshot;
pub use error::NetlinkError;
pub use events::{Event, events};
pub use facts::facts;
pub use family::Links;
pub use id::NetId;
pub use link::dump::Link;
pub use link::id::LinkId;
pub use link::mark;
pub use name::PROVIDER;
pub use provider::NetlinkProvider;
pub use resources::resources;
