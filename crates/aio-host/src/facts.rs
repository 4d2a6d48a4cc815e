//! The facts of the live system a topology is planned against, gathered once
//! per run: the uplink, its addresses and gateway, the interfaces a default
//! route goes through, every link name, and the VIP (chosen by aio-kolla).

use std::path::Path;

use aio_kolla::vip::Chosen;
use aio_topology::{Facts, Topology, Uplink};

use crate::HostError;

/// The facts, and the VIP with where it came from (kept in the state dir
/// when applied, if aio chose it).
pub(crate) async fn gather(
    topology: &Topology,
    netns: Option<&str>,
    state_dir: &Path,
) -> Result<(Facts, Option<Chosen>), HostError> {
    let handle = aio_netlink::connect(netns).await?;
    let mut facts = aio_netlink::facts(&handle, &topology.host.uplink.value).await?;
    let vip = match &topology.kolla {
        Some(kolla) => Some(aio_kolla::vip::choose(kolla, netns, state_dir, &facts)?),
        None => None,
    };
    facts.vip = vip.as_ref().map(|v| v.address);
    Ok((facts, vip))
}

/// The uplink facts of `netns` (or the host) for `aio init`; `None` when
/// `wanted` is `auto` and there is no default route to find it by.
pub async fn uplink_facts(
    netns: Option<&str>,
    wanted: &Uplink,
) -> Result<Option<Facts>, HostError> {
    let handle = aio_netlink::connect(netns).await?;
    match aio_netlink::facts(&handle, wanted).await {
        Ok(facts) => Ok(Some(facts)),
        Err(aio_netlink::NetlinkError::NoDefaultRoute) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
