//! Creating, changing, marking and deleting a link, as netlink requests.
//! Every link aio creates or adopts gets a fresh mark (see
//! [`crate::link::mark`]), set in the request right after the one that
//! creates it (the kernel ignores an alias at creation); an update never
//! touches it.

use rtnetlink::packet_route::link::LinkMessage;
use rtnetlink::{Handle, LinkBridge, LinkMessageBuilder, LinkUnspec, LinkVeth};
use tracing::debug;

use crate::change_error::OpError;
use crate::error::{ENODEV, errno};
use crate::indexes::{Indexes, index_of};
use crate::link::attrs::{LinkAttrs, LinkSettings, LinkState};
use crate::link::id::LinkId;
use crate::link::mark::fresh;

type Result<T> = std::result::Result<T, OpError>;

/// Creates link `id`; `deleted`: it was just deleted (its index in `ix` is gone).
pub async fn create(
    h: &Handle,
    ix: &Indexes,
    id: &LinkId,
    after: &LinkAttrs,
    deleted: bool,
) -> Result<()> {
    let name = id.name();
    let settings = LinkSettings::all(after);
    let mark = fresh();
    let message = match (after.kind.as_deref(), after.peer.as_deref()) {
        (Some("bridge"), _) => return create_bridge(h, ix, name, settings, &mark).await,
        (Some("veth"), Some(peer)) => {
            // The second end of a pair already came with the first: only configure it.
            if !deleted && index_of(ix, name).is_some() {
                return set(h, ix, name, &settings, Some(&mark)).await;
            }
            with_settings(ix, LinkVeth::new(name, peer), &settings, None)?
        }
        (kind, _) => return Err(OpError::CannotCreate(kind.map(str::to_string))),
    };
    debug!(link = name, ?after, "netlink request: new link");
    h.link().add(message).execute().await?;
    set(h, ix, name, &LinkSettings::default(), Some(&mark)).await
}

/// A bridge takes an MTU given at creation only as a start: it then follows
/// its ports (the smallest; 1500 with none). An MTU set once the bridge
/// exists is its own and stays, whatever ports come and go (1500, already
/// a new bridge's, becomes its own once an apply puts it back). The MTU
/// goes with the mark.
async fn create_bridge(
    h: &Handle,
    ix: &Indexes,
    name: &str,
    settings: LinkSettings,
    mark: &str,
) -> Result<()> {
    let mtu = LinkSettings {
        mtu: settings.mtu,
        ..LinkSettings::default()
    };
    let first = LinkSettings {
        mtu: None,
        ..settings
    };
    let message = with_settings(ix, LinkBridge::new(name), &first, None)?;
    debug!(link = name, settings = ?first, "netlink request: new bridge");
    h.link().add(message).execute().await?;
    set(h, ix, name, &mtu, Some(mark)).await
}

/// Sets what `settings` sets on link `id`, in place.
pub async fn change(h: &Handle, ix: &Indexes, id: &LinkId, settings: &LinkSettings) -> Result<()> {
    set(h, ix, id.name(), settings, None).await
}

/// Marks link `id` as aio's, with a fresh mark.
pub async fn mark(h: &Handle, ix: &Indexes, id: &LinkId) -> Result<()> {
    set(h, ix, id.name(), &LinkSettings::default(), Some(&fresh())).await
}

/// Sets what `settings` sets on link `name`, and `mark` if given.
async fn set(
    h: &Handle,
    ix: &Indexes,
    name: &str,
    settings: &LinkSettings,
    mark: Option<&str>,
) -> Result<()> {
    // The kernel finds the link by IFLA_IFNAME when the index is 0.
    let message = with_settings(ix, LinkUnspec::new_with_name(name), settings, mark)?;
    debug!(link = name, ?settings, mark, "netlink request: set link");
    Ok(h.link().set(message).execute().await?)
}

/// Adds what `settings` sets, and `mark` as the link's alias, to a request.
fn with_settings<T>(
    ix: &Indexes,
    mut b: LinkMessageBuilder<T>,
    settings: &LinkSettings,
    mark: Option<&str>,
) -> Result<LinkMessage> {
    match &settings.master {
        Some(Some(master)) => match index_of(ix, master) {
            Some(index) => b = b.controller(index),
            None => return Err(OpError::NoMaster(master.clone())),
        },
        Some(None) => b = b.nocontroller(),
        None => {}
    }
    match settings.state {
        Some(LinkState::Up) => b = b.up(),
        Some(LinkState::Down) => b = b.down(),
        None => {}
    }
    if let Some(mtu) = settings.mtu {
        b = b.mtu(mtu);
    }
    if let Some(mark) = mark {
        b = b.alias(mark);
    }
    Ok(b.build())
}

/// Deletes link `id`, if it is there.
pub async fn delete(h: &Handle, ix: &Indexes, id: &LinkId) -> Result<()> {
    let name = id.name();
    let Some(index) = index_of(ix, name) else {
        return Ok(());
    };
    debug!(link = name, index, "netlink request: delete link");
    match h.link().del(index).execute().await {
        Err(e) if errno(&e) == Some(ENODEV) => Ok(()), // went with its veth peer
        other => Ok(other?),
    }
}
