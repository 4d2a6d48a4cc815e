//! One dump of all links and one of all addresses: everything observe and
//! the facts need. For a few links (what one `aio watch` event names), the
//! links are asked for by name instead: a dump of every link costs the
//! kernel ~2 KB per link, thousands of them on a large host.

use aio_engine::ProviderError;
use hashbrown::HashTable;
use rtnetlink::Handle;
use std::collections::BTreeSet;
use std::hash::BuildHasher;

use crate::address::dump::{Addr, addrs, addrs_of};
use crate::error::NetlinkError;
use crate::link::dump::{Link, one};
use crate::link::raw;
use crate::raw::beside;

/// Hashed as aio hashes names: a dump of thousands of links is looked up by
/// name and index several times per link.
type HashMap<K, V> = std::collections::HashMap<K, V, aio_engine::FastHash>;

fn hash(key: impl std::hash::Hash) -> u64 {
    aio_engine::FastHash::default().hash_one(key)
}

/// The addresses a snapshot of a few links holds.
#[derive(Debug, Clone, Copy)]
pub enum Addresses<'a> {
    /// None: only the links' names and indexes are wanted.
    None,
    /// The links' own, asked for link by link on a socket in strict mode
    /// (see [`crate::connection::strict`]), so the kernel sends only them.
    OfLinks(&'a Handle),
    /// Every address of the namespace.
    All,
}

/// Links and addresses as one dump saw them.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub links: Vec<Link>,
    pub addrs: Vec<Addr>,
    /// Positions in `links`, found by the link's name or index: the
    /// tables hold positions only, not copies of the names.
    by_name: HashTable<u32>,
    by_index: HashTable<u32>,
    /// A link's addresses, as positions in `addrs`.
    addrs_by_link: HashMap<u32, Vec<usize>>,
    /// Only some links were asked for: a name not here may still exist.
    pub partial: bool,
}

impl Snapshot {
    fn new(links: Vec<Link>, addrs: Vec<Addr>) -> Snapshot {
        let mut by_name = HashTable::with_capacity(links.len());
        let mut by_index = HashTable::with_capacity(links.len());
        for (i, l) in (0u32..).zip(&links) {
            by_name.insert_unique(hash(l.name.as_str()), i, |&at| {
                hash(links[at as usize].name.as_str())
            });
            by_index.insert_unique(hash(l.index), i, |&at| hash(links[at as usize].index));
        }
        let mut addrs_by_link: HashMap<u32, Vec<usize>> = HashMap::default();
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

    /// Every link (read off a socket of its own in `netns`, see
    /// `crate::link::raw`, on another thread) and, meanwhile, every
    /// address (through `handle`).
    pub async fn take(handle: &Handle, netns: Option<&str>) -> Result<Snapshot, NetlinkError> {
        let ns = netns.map(str::to_string);
        let links = beside(move || raw::links(ns.as_deref()));
        let (links, addrs) = tokio::join!(links, addrs(handle));
        Ok(Snapshot::new(links.map_err(NetlinkError::Dump)?, addrs?))
    }

    /// Links alone, for what needs only names and indexes.
    pub fn links_only(netns: Option<&str>) -> Result<Snapshot, NetlinkError> {
        let links = raw::links(netns).map_err(NetlinkError::Dump)?;
        Ok(Snapshot::new(links, Vec::new()))
    }

    /// The links named `names` that exist, the links they name as master or
    /// peer, and the `addresses` asked for.
    pub async fn of_links(
        handle: &Handle,
        names: &BTreeSet<&str>,
        addresses: Addresses<'_>,
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
        let addrs = match addresses {
            Addresses::None => Vec::new(),
            Addresses::All => addrs(handle).await?,
            Addresses::OfLinks(strict) => {
                let asked = links.iter().map(|l| addrs_of(strict, l.index));
                futures::future::try_join_all(asked)
                    .await?
                    .into_iter()
                    .flatten()
                    .collect()
            }
        };
        let mut snapshot = Snapshot::new(links, addrs);
        snapshot.partial = true;
        Ok(snapshot)
    }

    pub fn link(&self, name: &str) -> Option<&Link> {
        let at = self
            .by_name
            .find(hash(name), |&at| self.links[at as usize].name == name)?;
        Some(&self.links[*at as usize])
    }

    pub fn name_of(&self, index: u32) -> Option<&str> {
        let at = self
            .by_index
            .find(hash(index), |&at| self.links[at as usize].index == index)?;
        Some(self.links[*at as usize].name.as_str())
    }

    pub fn addrs_of(&self, index: u32) -> impl Iterator<Item = &Addr> {
        let at = self
            .addrs_by_link
            .get(&index)
            .map_or(&[][..], Vec::as_slice);
        at.iter().map(|i| &self.addrs[*i])
    }
}

/// A dump the kernel did not answer, as the provider reports it.
pub fn dump_failed(e: NetlinkError) -> ProviderError {
    ProviderError::unreachable(e.to_string())
}
