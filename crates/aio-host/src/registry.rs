//! Every provider family aio has, in the order their resources are listed.
//! Adding a family is one line here.

use std::path::Path;

use aio_engine::Resource;
use aio_family::{Context, Family, Shared};
use aio_topology::Topology;

use crate::HostError;

pub fn families() -> Vec<Box<dyn Family>> {
    vec![
        Box::new(aio_netlink::Links),
        Box::new(aio_sysctl::Sysctls),
        Box::new(aio_nat::Nat),
        Box::new(aio_nfs::Nfs),
        Box::new(aio_kolla::Kolla),
        Box::new(aio_ovs::Ovs),
        Box::new(aio_cloud::Cloud),
    ]
}

/// Every family's resources for `topology` from the file alone: what the
/// live system would tell stays a placeholder (`${uplink}`). For `aio graph`.
pub fn wanted_from_file(topology: &Topology) -> Result<Vec<Resource>, HostError> {
    from_file(topology, |cx| {
        let mut out = Vec::new();
        for family in families() {
            out.extend(family.wanted(cx)?.resources);
        }
        Ok(out)
    })
}

/// `f` with a context of `topology` and placeholder facts, on no system.
fn from_file<T>(topology: &Topology, f: impl FnOnce(Context<'_>) -> T) -> T {
    let facts = topology.placeholder_facts();
    let shared = Shared::new();
    f(Context {
        topology,
        facts: &facts,
        netns: None,
        state_dir: Path::new("/nonexistent"),
        reruns: &[],
        shared: &shared,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aio_engine::ProviderName;

    #[test]
    fn each_family_has_its_own_provider_name() {
        let names: Vec<ProviderName> = families().iter().map(|f| f.name()).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert_eq!(
            names,
            ["netlink", "sysctl", "nat", "nfs", "kolla", "ovs", "neutron"]
        );
    }

    #[test]
    fn only_kolla_and_the_cloud_wait_for_the_host() {
        let later: Vec<ProviderName> = families()
            .iter()
            .filter(|f| f.after_host())
            .map(|f| f.name())
            .collect();
        assert_eq!(later, ["kolla", "neutron"]);
    }

    #[test]
    fn what_a_family_builds_from_the_file_alone_is_what_it_wants() {
        let example = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/openstack-aio.toml"
        );
        let topology = aio_topology::load(Path::new(example)).expect("the example is valid");
        let mut early = Vec::new();
        for family in families() {
            let Some(wanted) = family.wanted_from_topology(&topology) else {
                continue;
            };
            assert!(!wanted.resources.is_empty(), "{}", family.name());
            let from_facts = from_file(&topology, |cx| family.wanted(cx)).unwrap();
            assert_eq!(wanted, from_facts, "{}", family.name());
            early.push(family.name());
        }
        assert_eq!(early, ["netlink", "ovs"]);
    }
}
