//! The netlink provider: Linux links and addresses through rtnetlink.
//!
//! - [`connect`] opens a netlink socket in a network namespace (or here);
//! - [`facts`] finds the uplink (IPv4 default route, lowest metric) and its
//!   address, every interface a default route goes through, every link name;
//! - [`resources`] turns `[interfaces]` into engine resources ([`id`] builds
//!   and reads their ids and attributes);
//! - [`NetlinkProvider`] observes them with one link dump and one address
//!   dump, and carries out changes, never touching the uplink;
//! - [`mark`] is what makes a link aio's beyond its name and ifindex: the
//!   alias `aio:TOKEN` it sets on every link it creates or adopts;
//! - [`Links`] is the family the run opens: all of the above, and the
//!   kernel's announcements for `aio watch`.

mod dump;
mod events;
mod facts;
mod family;
pub mod id;
mod lean;
pub mod mark;
mod ops;
mod provider;
mod resources;

pub use dump::{Addr, Link, Snapshot};
pub use events::{Event, events};
pub use facts::facts;
pub use family::Links;
pub use provider::NetlinkProvider;
pub use resources::{PROVIDER, resources};

use rtnetlink::Handle;

#[derive(Debug, thiserror::Error)]
pub enum NetlinkError {
    #[error(transparent)]
    Netns(#[from] aio_netns::NetnsError),
    #[error("cannot open a netlink socket: {0}")]
    Socket(std::io::Error),
    #[error("netlink: {0}")]
    Request(#[from] rtnetlink::Error),
    #[error("no IPv4 default route: set host.uplink to the management NIC")]
    NoDefaultRoute,
    #[error("the uplink \"{0}\" does not exist")]
    NoUplink(String),
}

/// A netlink handle whose socket lives in network namespace `netns` (or the
/// caller's). Call from within a tokio runtime: the connection task is
/// spawned on it. Link messages come through it cut down to what aio reads
/// (see `lean.rs`).
pub async fn connect(netns: Option<&str>) -> Result<Handle, NetlinkError> {
    let runtime = tokio::runtime::Handle::current();
    aio_netns::run_in(netns, move || {
        // The socket registers with the runtime's reactor when it is made.
        let _guard = runtime.enter();
        let (connection, handle, _) = rtnetlink::new_connection_with_socket::<lean::LeanSocket>()?;
        runtime.spawn(connection);
        Ok(handle)
    })?
    .map_err(NetlinkError::Socket)
}

/// The positive errno of a kernel refusal (EEXIST = 17, ENODEV = 19, ...).
pub(crate) fn errno(e: &rtnetlink::Error) -> Option<i32> {
    match e {
        rtnetlink::Error::NetlinkError(m) => m.code.map(|c| -c.get()),
        _ => None,
    }
}
