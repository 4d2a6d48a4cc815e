//! The facts of the live system a topology is planned against, gathered once
//! per run: the uplink, its address and gateway, the interfaces a default
//! route goes through, every link name, and the VIP.

use std::path::Path;

use aio_topology::{Facts, Topology, Uplink, Vip};

use crate::HostError;

/// The facts, and whether the VIP was probed in this run (and so is
/// remembered when applied).
pub(crate) async fn gather(
    topology: &Topology,
    netns: Option<&str>,
    state_dir: &Path,
) -> Result<(Facts, bool), HostError> {
    let handle = aio_netlink::connect(netns).await?;
    let mut facts = aio_netlink::facts(&handle, &topology.host.uplink.value).await?;
    let mut probed = false;
    facts.vip = match topology.kolla.as_ref().map(|k| &k.vip.value) {
        Some(Vip::Address(a)) => Some(*a),
        Some(Vip::Auto) => match aio_kolla::vip::remembered(state_dir, &facts) {
            Some(vip) => Some(vip),
            None => {
                probed = true;
                Some(aio_kolla::vip::probe(netns, &facts)?)
            }
        },
        None => None,
    };
    Ok((facts, probed))
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
