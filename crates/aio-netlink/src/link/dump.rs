//! Links as the kernel describes them, and one link asked for by name or
//! index (every link in one dump is `crate::link::raw`'s).

use futures::TryStreamExt;
use rtnetlink::LinkGetRequest;
use rtnetlink::packet_route::AddressFamily;
use rtnetlink::packet_route::link::{
    LinkAttribute, LinkExtentMask, LinkFlags, LinkInfo, LinkMessage,
};

use crate::error::{ENODEV, errno};

#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub index: u32,
    pub name: String,
    /// `bridge`, `veth`, ...; `None` for physical NICs and `lo`.
    pub kind: Option<String>,
    pub up: bool,
    pub mtu: Option<u32>,
    pub master: Option<u32>,
    /// For a veth: its peer's index (when the peer is in this namespace).
    pub link: Option<u32>,
    /// `IFLA_IFALIAS`, where aio's mark is (see [`crate::link::mark`]).
    pub alias: Option<String>,
}

/// The one link `request` names, or `None` when there is no such link.
pub async fn one(request: LinkGetRequest) -> Result<Option<Link>, rtnetlink::Error> {
    let mut reply = request
        .set_filter_mask(AddressFamily::Unspec, vec![LinkExtentMask::SkipStats])
        .execute();
    match reply.try_next().await {
        Ok(m) => Ok(m.map(link_of)),
        Err(e) if errno(&e) == Some(ENODEV) => Ok(None),
        Err(e) => Err(e),
    }
}

fn link_of(m: LinkMessage) -> Link {
    let mut link = Link {
        index: m.header.index,
        name: String::new(),
        kind: None,
        up: m.header.flags.contains(LinkFlags::Up),
        mtu: None,
        master: None,
        link: None,
        alias: None,
    };
    let mut elsewhere = false;
    for a in m.attributes {
        match a {
            LinkAttribute::IfName(n) => link.name = n,
            LinkAttribute::Mtu(v) => link.mtu = Some(v),
            LinkAttribute::Controller(v) => link.master = Some(v),
            LinkAttribute::Link(v) => link.link = Some(v),
            LinkAttribute::IfAlias(a) => link.alias = Some(a),
            // IFLA_LINK then names a link of another namespace.
            LinkAttribute::LinkNetNsId(_) => elsewhere = true,
            LinkAttribute::LinkInfo(infos) => {
                for info in infos {
                    if let LinkInfo::Kind(k) = info {
                        link.kind = Some(k.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    if elsewhere {
        link.link = None;
    }
    link
}
