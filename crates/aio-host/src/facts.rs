//! The facts of the live system a topology is planned against, gathered
//! once per run from the families, in the registry's order: the uplink,
//! its addresses and gateway, the interfaces a default route goes through
//! and every link name (netlink), then the VIP (Kolla).

use std::path::Path;

use aio_family::{Family, FamilyError, FamilyErrorKind, Probe, Shared};
use aio_topology::{Facts, Topology, Uplink};

use crate::{HostError, registry};

/// What every family knows of the system `topology` targets.
pub(crate) async fn gather(
    families: &[Box<dyn Family>],
    topology: &Topology,
    netns: Option<&str>,
    state_dir: &Path,
    shared: &Shared,
) -> Result<Facts, HostError> {
    let probe = Probe {
        topology: Some(topology),
        uplink: &topology.host.uplink.value,
        netns,
        state_dir: Some(state_dir),
        shared,
    };
    Ok(probe_all(families, probe).await?)
}

/// The uplink facts of `netns` (or the host) for `aio init`; `None` when
/// `wanted` is `auto` and there is no default route to find it by.
pub async fn uplink_facts(
    netns: Option<&str>,
    wanted: &Uplink,
) -> Result<Option<Facts>, HostError> {
    let shared = Shared::new();
    let probe = Probe {
        topology: None,
        uplink: wanted,
        netns,
        state_dir: None,
        shared: &shared,
    };
    match probe_all(&registry::families(), probe).await {
        Ok(facts) => Ok(Some(facts)),
        Err(e) if e.kind() == FamilyErrorKind::MissingFact && *wanted == Uplink::Auto => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Asks every family, in order, what it knows; the first that fails ends it.
async fn probe_all(families: &[Box<dyn Family>], probe: Probe<'_>) -> Result<Facts, FamilyError> {
    let mut facts = Facts::default();
    for family in families {
        family.facts(probe, &mut facts).await?;
    }
    Ok(facts)
}
