//! A probe plugged into a bridge of the host: a veth pair made inside the
//! probe's namespace, one end then moved into the host and enslaved to the
//! bridge. Made in that order so that a doctor killed at any point leaves
//! nothing: before the move both ends die with the namespace, after it
//! the pair dies with its inner end.

use std::net::Ipv4Addr;
use std::time::Duration;

use futures::TryStreamExt;
use ipnet::Ipv4Net;
use rtnetlink::packet_route::link::LinkAttribute;
use rtnetlink::packet_route::neighbour::{NeighbourAddress, NeighbourAttribute};
use rtnetlink::{Handle, LinkUnspec, LinkVeth, RouteMessageBuilder};

use super::icmp::Pinger;
use super::ns::Netns;
use super::tagged::Tagged;

/// The probe's end, inside its namespace.
const INNER: &str = "probe";

/// A probe on a bridge of the host; [`Attachment::remove`] takes it away.
pub struct Attachment {
    ns: Netns,
    /// The host's namespace, for echoes that leave from the host's side.
    host_ns: Netns,
    inner: Handle,
    host: Handle,
    /// The host's end (`aio-doc<PID>`), by index in the host.
    outer: u32,
    /// Neighbour entries the probe's addresses leave in the host: (link, address).
    neighbours: Vec<(u32, Ipv4Addr)>,
}

/// What went wrong plugging or using the probe.
pub type WireError = String;

impl Attachment {
    /// A probe on `bridge` of the host's namespace `host` (reached through
    /// `host_handle`), both ends at `mtu`.
    pub async fn plug(
        host_ns: &Netns,
        host: &Handle,
        bridge: &str,
        mtu: u32,
    ) -> Result<Attachment, WireError> {
        let master = index(host, bridge).await?;
        // A Linux bridge without ports takes its first port's MAC, and
        // its MAC is all zeros once that port goes: plugging the probe
        // into a bridge without ports would change it for good.
        if !has_ports(host, master).await? {
            return Err(format!(
                "{bridge} has no ports: the probe would leave it a MAC of its own choosing"
            ));
        }
        let ns = Netns::new().map_err(|e| format!("a namespace for the probe: {e}"))?;
        let inner = ns
            .netlink()
            .map_err(|e| format!("netlink in the probe's namespace: {e}"))?;
        let outer_name = format!("aio-doc{}", std::process::id());
        let pair = LinkVeth::new(INNER, &outer_name).mtu(mtu).build();
        inner
            .link()
            .add(pair)
            .execute()
            .await
            .map_err(|e| format!("a veth pair for the probe: {e}"))?;
        let peer = index(&inner, &outer_name).await?;
        let fd = std::os::fd::AsRawFd::as_raw_fd(host_ns.file());
        let moved = LinkUnspec::new_with_index(peer).setns_by_fd(fd).build();
        inner
            .link()
            .set(moved)
            .execute()
            .await
            .map_err(|e| format!("moving {outer_name} into the host: {e}"))?;
        let outer = index(host, &outer_name).await?;
        let attachment = Attachment {
            ns,
            host_ns: host_ns
                .try_clone()
                .map_err(|e| format!("the host's namespace: {e}"))?,
            inner,
            host: host.clone(),
            outer,
            neighbours: Vec::new(),
        };
        // A MAC above any real one: a Linux bridge takes its ports' lowest
        // MAC as its own, and the probe must not change dummy1's.
        let pid = std::process::id().to_be_bytes();
        let mac = vec![0xfe, 0xff, pid[0], pid[1], pid[2], pid[3]];
        let host_end = LinkUnspec::new_with_index(outer)
            .address(mac)
            .mtu(mtu)
            .controller(master)
            .up()
            .build();
        attachment
            .host
            .link()
            .set(host_end)
            .execute()
            .await
            .map_err(|e| format!("{outer_name} into {bridge}: {e}"))?;
        let lo = index(&attachment.inner, "lo").await?;
        let probe = index(&attachment.inner, INNER).await?;
        for link in [lo, probe] {
            let up = LinkUnspec::new_with_index(link)
                .mtu_if(link == probe, mtu)
                .up()
                .build();
            attachment
                .inner
                .link()
                .set(up)
                .execute()
                .await
                .map_err(|e| format!("the probe's links up: {e}"))?;
        }
        Ok(attachment)
    }

    /// `address` on the probe's end; `answered_by` is the host's link
    /// that will learn it as a neighbour.
    pub async fn address(&mut self, address: Ipv4Net, answered_by: &str) -> Result<(), WireError> {
        let probe = index(&self.inner, INNER).await?;
        self.inner
            .address()
            .add(probe, address.addr().into(), address.prefix_len())
            .execute()
            .await
            .map_err(|e| format!("{address} on the probe: {e}"))?;
        self.learnt_by(answered_by, address.addr()).await
    }

    /// Remembers that the host's `link` will learn `address` as a
    /// neighbour, to forget it when the probe goes.
    pub async fn learnt_by(&mut self, link: &str, address: Ipv4Addr) -> Result<(), WireError> {
        let host_link = index(&self.host, link).await?;
        self.neighbours.push((host_link, address));
        Ok(())
    }

    /// The probe's default route, through `via`.
    pub async fn route_via(&self, via: Ipv4Addr) -> Result<(), WireError> {
        let route = RouteMessageBuilder::<Ipv4Addr>::new().gateway(via).build();
        self.inner
            .route()
            .add(route)
            .execute()
            .await
            .map_err(|e| format!("the probe's route through {via}: {e}"))
    }

    /// Echo to `to` with `size` bytes of IPv4 and DF, from the probe's
    /// namespace: the round trip, `None` without an answer within `wait`.
    pub async fn ping(
        &self,
        to: Ipv4Addr,
        size: usize,
        wait: Duration,
    ) -> Result<Option<Duration>, WireError> {
        self.inside(move || Pinger::new().and_then(|p| p.echo(to, size, wait)))
            .await
            .map_err(|e| format!("ping {to} ({size} bytes): {e}"))
    }

    /// Echo on VLAN `vlan` from `source` to `to`, with `size` bytes of
    /// IPv4 and DF, as whole tagged frames on the probe's link.
    pub async fn ping_tagged(
        &self,
        vlan: u16,
        source: Ipv4Addr,
        to: Ipv4Addr,
        size: usize,
        wait: Duration,
    ) -> Result<Option<Duration>, WireError> {
        let echo = move || {
            let link = Tagged::new(INNER, vlan, source)?;
            match link.resolve(to, std::time::Instant::now() + wait)? {
                None => Ok(None),
                Some(mac) => link.echo(mac, to, size, std::time::Instant::now() + wait),
            }
        };
        self.inside(echo)
            .await
            .map_err(|e| format!("ping {to} on VLAN {vlan} ({size} bytes): {e}"))
    }

    /// Echo from the host's side to `to` (the probe), with `size` bytes of
    /// IPv4 and DF: it leaves through the host's link, so that link's MTU
    /// applies (a reply is never sent with DF, so an echo from the probe
    /// could not show it).
    pub async fn ping_from_host(
        &self,
        to: Ipv4Addr,
        size: usize,
        wait: Duration,
    ) -> Result<Option<Duration>, WireError> {
        let ns = self.host_ns.try_clone().map_err(|e| e.to_string())?;
        let echo = move || Pinger::new().and_then(|p| p.echo(to, size, wait));
        tokio::task::spawn_blocking(move || ns.run(echo))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("ping {to} from the host ({size} bytes): {e}"))
    }

    /// Runs blocking `work` inside the probe's namespace, off the runtime.
    async fn inside<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
    ) -> std::io::Result<T> {
        let ns = self.ns.try_clone()?;
        tokio::task::spawn_blocking(move || ns.run(work))
            .await
            .map_err(std::io::Error::other)??
    }

    /// Deletes the host's end (the pair goes with it), then what the
    /// probe's addresses left in the host's neighbour tables; the
    /// namespace goes when `self` drops.
    pub async fn remove(self) -> Result<(), WireError> {
        let deleted = self.host.link().del(self.outer).execute().await;
        let mut dump = self.host.neighbours().get().execute();
        let mut stale = Vec::new();
        while let Some(n) = dump.try_next().await.map_err(|e| e.to_string())? {
            let ours = n.attributes.iter().any(|a| {
                matches!(a, NeighbourAttribute::Destination(NeighbourAddress::Inet(ip))
                    if self.neighbours.contains(&(n.header.ifindex, *ip)))
            });
            if ours {
                stale.push(n);
            }
        }
        for n in stale {
            // Gone already is as good as deleted.
            let _ = self.host.neighbours().del(n).execute().await;
        }
        deleted.map_err(|e| format!("deleting the probe's link: {e}"))
    }
}

/// Whether any link has `master` as its master.
async fn has_ports(handle: &Handle, master: u32) -> Result<bool, WireError> {
    let mut links = handle.link().get().execute();
    while let Some(link) = links.try_next().await.map_err(|e| format!("links: {e}"))? {
        if link.attributes.contains(&LinkAttribute::Controller(master)) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The index of link `name` through `handle`.
async fn index(handle: &Handle, name: &str) -> Result<u32, WireError> {
    let mut links = handle.link().get().match_name(name.to_string()).execute();
    match links.try_next().await {
        Ok(Some(link)) => Ok(link.header.index),
        Ok(None) => Err(format!("no link {name}")),
        Err(e) => Err(format!("link {name}: {e}")),
    }
}

/// `mtu` only on the link it is meant for.
trait MtuIf {
    fn mtu_if(self, cond: bool, mtu: u32) -> Self;
}

impl MtuIf for rtnetlink::LinkMessageBuilder<LinkUnspec> {
    fn mtu_if(self, cond: bool, mtu: u32) -> Self {
        match cond {
            true => self.mtu(mtu),
            false => self,
        }
    }
}
