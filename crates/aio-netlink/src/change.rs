//! One change the engine planned, as the link or address requests that
//! carry it out.

use tracing::info;

use aio_engine::{Action, AttrValue, Attrs, Change, TypedAttrs};

use crate::address::attrs::AddressAttrs;
use crate::address::ops as address;
use crate::change_error::{ChangeError, OpError};
use crate::id::NetId;
use crate::indexes::Indexes;
use crate::link::attrs::{LinkAttrs, LinkSettings};
use crate::link::ops as link;
use rtnetlink::Handle;

/// Carries out `c`; `ix` knows every link `c` names that exists.
pub async fn apply(h: &Handle, ix: &Indexes, c: &Change) -> Result<(), ChangeError> {
    info!("netlink: {} {}", c.action.symbol(), c.id);
    run(h, ix, c).await.map_err(|cause| ChangeError {
        action: c.action,
        id: c.id.clone(),
        cause,
    })
}

async fn run(h: &Handle, ix: &Indexes, c: &Change) -> Result<(), OpError> {
    let empty = Attrs::new();
    let after = c.after.as_deref().unwrap_or(&empty);
    match (NetId::of(&c.id), c.action) {
        // Taking over a link marks it as aio's; an address is its link's.
        (Some(NetId::Link(id)), Action::Adopt) => link::mark(h, ix, &id).await,
        (Some(_), Action::Adopt) => Ok(()),
        (Some(NetId::Link(id)), Action::Create) => {
            link::create(h, ix, &id, &LinkAttrs::from_attrs(after)?, false).await
        }
        (Some(NetId::Link(id)), Action::Update) => {
            let changed: Attrs = c
                .differences()
                .into_iter()
                .map(|(k, _, v)| (k.to_string(), v.clone()))
                .collect();
            link::change(h, ix, &id, &LinkSettings::changed(&changed)?).await
        }
        (Some(NetId::Link(id)), Action::Delete) => link::delete(h, ix, &id).await,
        (Some(NetId::Link(id)), Action::Replace) => {
            link::delete(h, ix, &id).await?;
            link::create(h, ix, &id, &LinkAttrs::from_attrs(after)?, true).await
        }
        (Some(NetId::Address(_)), Action::Delete) => {
            let before = c.before.as_ref().unwrap_or(&empty);
            address::delete(h, ix, &AddressAttrs::from_attrs(before)?).await
        }
        (Some(NetId::Address(_)), _) => {
            address::add(h, ix, &AddressAttrs::from_attrs(after)?).await
        }
        (None, _) => Err(OpError::OtherKind(c.id.kind().clone())),
    }
}

/// The links whose indexes `c` needs: itself, its master, its address's interface.
pub fn names_needed(c: &Change) -> Vec<String> {
    let attrs = c.after.as_deref().or(c.before.as_ref());
    let text = |key: &str| attrs.and_then(|a| a.get(key)).and_then(AttrValue::as_str);
    let (own, other) = match (NetId::of(&c.id), c.action) {
        (Some(NetId::Link(_)), Action::Update) => (None, text("master").map(str::to_string)),
        (Some(NetId::Link(id)), _) => (
            Some(id.name().to_string()),
            text("master").map(str::to_string),
        ),
        (Some(NetId::Address(id)), _) => (None, Some(id.iface)),
        (None, _) => (None, None),
    };
    own.into_iter().chain(other).collect()
}
