//! The netlink connection every request of a run goes through.

use rtnetlink::Handle;
use rtnetlink::sys::AsyncSocket;

use aio_family::Shared;

use crate::error::NetlinkError;
use crate::lean::LeanSocket;

/// A netlink handle whose socket lives in network namespace `netns` (or the
/// caller's). Call from within a tokio runtime: the connection task is
/// spawned on it. Link messages come through it cut down to what aio reads
/// (see `lean.rs`).
pub async fn connect(netns: Option<&str>) -> Result<Handle, NetlinkError> {
    open(netns, false).await
}

/// A second connection to `netns`, its socket in strict mode
/// (`NETLINK_GET_STRICT_CHK`): the kernel then filters a dump by what the
/// request's header names (the addresses of one link), instead of sending
/// everything. Only for address dumps: strict mode also makes other
/// header fields filters (a route dump's protocol), which the shared
/// connection's requests do not expect.
pub async fn strict(netns: Option<&str>) -> Result<Handle, NetlinkError> {
    open(netns, true).await
}

async fn open(netns: Option<&str>, strict: bool) -> Result<Handle, NetlinkError> {
    let runtime = tokio::runtime::Handle::current();
    aio_netns::run_in(netns, move || {
        // The socket registers with the runtime's reactor when it is made.
        let _guard = runtime.enter();
        let (mut connection, handle, _) = rtnetlink::new_connection_with_socket::<LeanSocket>()?;
        if strict {
            connection
                .socket_mut()
                .socket_ref()
                .set_netlink_get_strict_chk(true)?;
        }
        runtime.spawn(connection);
        Ok(handle)
    })?
    .map_err(NetlinkError::Socket)
}

/// The run's one netlink connection, kept in its [`Shared`] slots.
struct Connection {
    netns: Option<String>,
    handle: Handle,
}

/// The run's netlink connection to `netns` (or the caller's namespace):
/// opened by the first family that asks, then shared by facts, provider and
/// watch.
pub async fn shared(shared: &Shared, netns: Option<&str>) -> Result<Handle, NetlinkError> {
    let open = async {
        Ok::<_, NetlinkError>(Connection {
            netns: netns.map(str::to_string),
            handle: connect(netns).await?,
        })
    };
    let connection = shared.get_or_open(open).await?;
    match connection.netns.as_deref() == netns {
        true => Ok(connection.handle.clone()),
        // A run targets one namespace: another gets its own connection.
        false => connect(netns).await,
    }
}
