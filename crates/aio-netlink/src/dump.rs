//! One dump of all links and one of all addresses: everything observe and
//! the facts need. For a few links (what one `aio watch` event names), the
//! links are asked for by name instead: a dump of every link costs the
//! kernel ~2 KB per link, thousands of them on a large host.

use futures::TryStreamExt;
use ipnet::IpNet;
use rtnetlink::packet_route::AddressFamily;
use rtnetlink::packet_route::address::{AddressAttribute, AddressFlags, AddressHeaderFlags};
use rtnetlink::packet_route::link::{
    LinkAttribute, LinkExtentMask, LinkFlags, LinkInfo, LinkMessage,
};
use rtnetlink::{Handle, LinkGetRequest};
use std::collections::{BTreeSet, HashMap};

const ENODEV: i32 = 19;

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
    /// `IFLA_IFALIAS`, where aio's mark is (see [`crate::mark`]).
    pub alias: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Addr {
    pub index: u32,
    pub net: IpNet,
    pub secondary: bool,
}

/// Links and addresses as one dump saw them.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub links: Vec<Link>,
    pub addrs: Vec<Addr>,
    by_name: HashMap<String, usize>,
    by_index: HashMap<u32, usize>,
    /// A link's addresses, as positions in `addrs`.
    addrs_by_link: HashMap<u32, Vec<usize>>,
    /// Only some links were asked for: a name not here may still exist.
    pub partial: bool,
}

impl Snapshot {
    fn new(links: Vec<Link>, addrs: Vec<Addr>) -> Snapshot {
        let by_name = links
            .iter()
            .enumerate()
            .map(|(i, l)| (l.name.clone(), i))
            .collect();
        let by_index = links
            .iter()
            .enumerate()
            .map(|(i, l)| (l.index, i))
            .collect();
        let mut addrs_by_link: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, a) in addrs.iter().enumerate() {
            addrs_by_link.entry(a.index).or_default().push(i);
        }
        Snapshot {
            links,
            addrs,
            by_name,
            by_index,
            addrs_by_link,
            partial: false,
        }
    }

    pub async fn take(handle: &Handle) -> Result<Snapshot, rtnetlink::Error> {
        // One dump at a time: the kernel answers EBUSY to a second dump on a socket.
        let links = links(handle).await?;
        let addrs = addrs(handle).await?;
        Ok(Snapshot::new(links, addrs))
    }

    /// Links alone, for what needs only names and indexes.
    pub async fn links_only(handle: &Handle) -> Result<Snapshot, rtnetlink::Error> {
        Ok(Snapshot::new(links(handle).await?, Vec::new()))
    }

    /// The links named `names` that exist, the links they name as master or
    /// peer, and every address (the kernel filters addresses by link only
    /// for sockets in strict mode; the dump of all is small).
    pub async fn of_links(
        handle: &Handle,
        names: &BTreeSet<&str>,
    ) -> Result<Snapshot, rtnetlink::Error> {
        let asked = names
            .iter()
            .map(|n| one(handle.link().get().match_name(*n)));
        let mut links: Vec<Link> = futures::future::try_join_all(asked)
            .await?
            .into_iter()
            .flatten()
            .collect();
        let known: BTreeSet<u32> = links.iter().map(|l| l.index).collect();
        let named: BTreeSet<u32> = links
            .iter()
            .flat_map(|l| [l.master, l.link])
            .flatten()
            .filter(|i| !known.contains(i))
            .collect();
        let asked = named
            .iter()
            .map(|i| one(handle.link().get().match_index(*i)));
        links.extend(
            futures::future::try_join_all(asked)
                .await?
                .into_iter()
                .flatten(),
        );
        let mut snapshot = Snapshot::new(links, addrs(handle).await?);
        snapshot.partial = true;
        Ok(snapshot)
    }

    pub fn link(&self, name: &str) -> Option<&Link> {
        self.by_name.get(name).map(|i| &self.links[*i])
    }

    pub fn name_of(&self, index: u32) -> Option<&str> {
        self.by_index
            .get(&index)
            .map(|i| self.links[*i].name.as_str())
    }

    pub fn addrs_of(&self, index: u32) -> impl Iterator<Item = &Addr> {
        let at = self
            .addrs_by_link
            .get(&index)
            .map_or(&[][..], Vec::as_slice);
        at.iter().map(|i| &self.addrs[*i])
    }
}

async fn links(handle: &Handle) -> Result<Vec<Link>, rtnetlink::Error> {
    let mut out = Vec::new();
    // Counters are the bulk of a link message and aio reads none.
    let mut dump = handle
        .link()
        .get()
        .set_filter_mask(AddressFamily::Unspec, vec![LinkExtentMask::SkipStats])
        .execute();
    while let Some(m) = dump.try_next().await? {
        out.push(link_of(m));
    }
    Ok(out)
}

/// The one link `request` names, or `None` when there is no such link.
async fn one(request: LinkGetRequest) -> Result<Option<Link>, rtnetlink::Error> {
    let mut reply = request
        .set_filter_mask(AddressFamily::Unspec, vec![LinkExtentMask::SkipStats])
        .execute();
    match reply.try_next().await {
        Ok(m) => Ok(m.map(link_of)),
        Err(e) if crate::errno(&e) == Some(ENODEV) => Ok(None),
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

async fn addrs(handle: &Handle) -> Result<Vec<Addr>, rtnetlink::Error> {
    let mut out = Vec::new();
    let mut dump = handle.address().get().execute();
    while let Some(m) = dump.try_next().await? {
        let (mut local, mut address) = (None, None);
        // Secondary shows in the header's u8 flags and in IFA_FLAGS.
        let mut secondary = m.header.flags.contains(AddressHeaderFlags::Secondary);
        for a in &m.attributes {
            match a {
                AddressAttribute::Local(ip) => local = Some(*ip),
                AddressAttribute::Address(ip) => address = Some(*ip),
                AddressAttribute::Flags(f) => secondary |= f.contains(AddressFlags::Secondary),
                _ => {}
            }
        }
        // IFA_LOCAL is the interface's own address (they differ on point-to-point links).
        if let Some(net) = local
            .or(address)
            .and_then(|ip| IpNet::new(ip, m.header.prefix_len).ok())
        {
            out.push(Addr {
                index: m.header.index,
                net,
                secondary,
            });
        }
    }
    Ok(out)
}
