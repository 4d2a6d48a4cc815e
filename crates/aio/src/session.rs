//! Everything a plan or an apply needs: the topology, the facts of the live
//! system, the desired resources and an engine with its providers.

use aio_engine::{Engine, Plan, Resource};
use aio_topology::{Facts, Topology};

use crate::Failure;
use crate::cli::Target;

pub struct Session {
    pub topology: Topology,
    pub facts: Facts,
    pub desired: Vec<Resource>,
    pub engine: Engine,
    /// Sysctls left out because a sandbox only has its own `net.*` keys.
    pub skipped_sysctls: Vec<String>,
    netns: Option<String>,
}

impl Session {
    /// Loads and checks the file, then learns the facts from the system it targets.
    pub async fn open(target: &Target) -> Result<Session, Failure> {
        let topology = aio_topology::load(&target.file.path)?;
        let handle = aio_netlink::connect(target.netns.as_deref()).await?;
        let mut facts = aio_netlink::facts(&handle, &topology.host.uplink.value).await?;
        facts.vip = topology.static_facts().vip;
        topology.check_facts(&facts)?;
        let netns = target.netns.clone();
        let (sysctls, skipped_sysctls) = aio_sysctl::resources(&topology, netns.is_some());
        let nat = aio_nat::resources(&topology, &facts)
            .map_err(|e| Failure::Refused(format!("[[nat]]: {e}")))?;
        let mut desired = aio_netlink::resources(&topology);
        desired.extend(sysctls);
        desired.extend(nat);
        desired.extend(aio_ovs::resources(&topology));
        let netlink = aio_netlink::NetlinkProvider::new(handle, facts.uplink.clone());
        let engine = Engine::new(target.state_dir())
            .with_provider(Box::new(netlink))
            .with_provider(Box::new(aio_sysctl::SysctlProvider::new(netns.clone())))
            .with_provider(Box::new(aio_nat::NatProvider::new(netns.clone())));
        let engine = match &topology.ovs {
            Some(ovs) => {
                engine.with_provider(Box::new(aio_ovs::OvsProvider::new(ovs.db.to_string())))
            }
            None => engine,
        };
        Ok(Session {
            topology,
            facts,
            desired,
            engine,
            skipped_sysctls,
            netns,
        })
    }

    pub async fn plan(&self) -> Result<Plan, Failure> {
        let mut plan = self.engine.plan(&self.desired).await?;
        if let Some(ns) = &self.netns {
            plan.facts.insert("netns".into(), ns.clone());
        }
        if let Some(uplink) = &self.facts.uplink {
            plan.facts.insert("uplink".into(), uplink.clone());
        }
        if let Some(address) = self.facts.uplink_address {
            plan.facts
                .insert("uplink_address".into(), address.to_string());
        }
        Ok(plan)
    }

    /// Sections the file may hold that this version validates but does not apply.
    pub fn not_applied(&self) -> Vec<&'static str> {
        let kolla = self.topology.kolla.is_some();
        if kolla { vec!["[kolla]"] } else { vec![] }
    }
}
