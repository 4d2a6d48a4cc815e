//! Everything a plan or an apply needs: the topology, the facts of the live
//! system, the desired resources and an engine with its providers. The one
//! place that knows every provider.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use aio_engine::{Engine, Plan, Resource};
use aio_topology::{Facts, Vip};

use crate::Failure;
use crate::cli::Target;

pub struct Session {
    pub facts: Facts,
    pub desired: Vec<Resource>,
    pub engine: Engine,
    /// Sysctls left out because a sandbox only has its own `net.*` keys.
    pub skipped_sysctls: Vec<String>,
    /// A VIP probed in this run, remembered when it is applied.
    pub probed_vip: bool,
    ovs_address: Option<String>,
    /// The file, to say where a failed resource is declared.
    topology: aio_topology::Topology,
    /// The Kolla deployment, for `destroy --kolla-ansible-destroy`.
    deployment: Option<aio_kolla::Deployment>,
    state_dir: PathBuf,
    netns: Option<String>,
}

/// The resources a topology wants, given the facts.
pub struct Desired {
    pub resources: Vec<Resource>,
    /// Sysctls left out because a sandbox only has its own `net.*` keys.
    pub skipped_sysctls: Vec<String>,
    pub deployment: Option<aio_kolla::Deployment>,
}

/// Every provider's resources for `topology`: the one place that knows them all.
pub fn desire(
    topology: &aio_topology::Topology,
    facts: &Facts,
    in_netns: bool,
) -> Result<Desired, Failure> {
    let missing =
        |what: &str, e: aio_topology::MissingFact| Failure::Refused(format!("{what}: {e}"));
    let (sysctls, skipped_sysctls) = aio_sysctl::resources(topology, in_netns);
    let deployment =
        aio_kolla::Deployment::new(topology, facts).map_err(|e| missing("[kolla]", e))?;
    let mut resources = aio_netlink::resources(topology);
    resources.extend(sysctls);
    resources.extend(aio_nat::resources(topology, facts).map_err(|e| missing("[[nat]]", e))?);
    resources.extend(deployment.as_ref().map(|d| d.resource()));
    resources.extend(aio_ovs::resources(
        topology,
        deployment.as_ref().map(|_| aio_kolla::resource_id()),
    ));
    Ok(Desired {
        resources,
        skipped_sysctls,
        deployment,
    })
}

impl Session {
    /// Loads and checks the file, then learns the facts from the system it targets.
    pub async fn open(target: &Target) -> Result<Session, Failure> {
        let topology = aio_topology::load(&target.file.path)?;
        let netns = target.netns.clone();
        let state_dir = target.state_dir();
        let handle = aio_netlink::connect(netns.as_deref()).await?;
        let mut facts = aio_netlink::facts(&handle, &topology.host.uplink.value).await?;
        let mut probed_vip = false;
        facts.vip = match topology.kolla.as_ref().map(|k| &k.vip.value) {
            Some(Vip::Address(a)) => Some(*a),
            Some(Vip::Auto) => match aio_kolla::vip::remembered(&state_dir, &facts) {
                Some(vip) => Some(vip),
                None => {
                    probed_vip = true;
                    Some(
                        aio_kolla::vip::probe(netns.as_deref(), &facts)
                            .map_err(|e| Failure::Refused(e.to_string()))?,
                    )
                }
            },
            None => None,
        };
        topology.check_facts(&facts)?;
        if let Some(ns) = &netns {
            topology.check_rehearsal(ns, aio_kolla::stand_in())?;
        }

        let Desired {
            resources: desired,
            skipped_sysctls,
            deployment,
        } = desire(&topology, &facts, netns.is_some())?;

        let mut protected: Vec<String> = facts.protected.iter().map(|p| p.name.clone()).collect();
        protected.extend(facts.uplink.clone());
        let netlink = aio_netlink::NetlinkProvider::new(handle, protected);
        let mut engine = Engine::new(&state_dir)
            .with_provider(Box::new(netlink))
            .with_provider(Box::new(
                aio_sysctl::SysctlProvider::new(netns.clone()).with_uplink(facts.uplink.clone()),
            ))
            .with_provider(Box::new(aio_nat::NatProvider::new(netns.clone())));
        if let Some(ovs) = &topology.ovs {
            engine = engine.with_provider(Box::new(aio_ovs::OvsProvider::new(ovs.db.to_string())));
        }
        if let Some(d) = &deployment {
            let kolla = aio_kolla::KollaProvider::new(d.clone(), &state_dir, netns.clone());
            engine = engine.with_provider(Box::new(kolla));
        }
        Ok(Session {
            facts,
            desired,
            engine,
            skipped_sysctls,
            probed_vip,
            ovs_address: topology.ovs.as_ref().map(|o| o.db.to_string()),
            topology,
            deployment,
            state_dir,
            netns,
        })
    }

    pub async fn plan(&self) -> Result<Plan, Failure> {
        let mut plan = self.engine.plan(&self.desired).await?;
        let mut fact = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                plan.facts.insert(k.into(), v);
            }
        };
        fact("netns", self.netns.clone());
        fact("uplink", self.facts.uplink.clone());
        fact(
            "uplink_address",
            self.facts.uplink_address.map(|a| a.to_string()),
        );
        let how = if self.probed_vip {
            " (free by ARP; remembered when applied)"
        } else {
            ""
        };
        fact("vip", self.facts.vip.map(|a| format!("{a}{how}")));
        Ok(plan)
    }

    /// Carries out `plan` towards `desired`; a failure names the resource,
    /// where the file declares it, and the system's own words.
    pub async fn apply(
        &self,
        plan: &Plan,
        desired: &[Resource],
    ) -> Result<aio_engine::ApplyReport, Failure> {
        self.engine.apply(plan, desired).await.map_err(|error| {
            let failed = match &error {
                aio_engine::ApplyError::Failed { failed, .. } => Some(failed),
                aio_engine::ApplyError::NotConverged { left, .. } => {
                    left.changes.first().map(|c| &c.id)
                }
                _ => None,
            };
            match failed.and_then(|id| crate::locate::locate(&self.topology, id)) {
                Some(at) => Failure::ApplyAt {
                    at,
                    error: Box::new(error),
                },
                None => Failure::Apply(error),
            }
        })
    }

    /// `kolla-ansible destroy`, once the user typed the Kolla config dir.
    pub fn destroy_kolla(&self) -> Result<(), Failure> {
        let Some(d) = &self.deployment else {
            return Err(Failure::Refused("the topology has no [kolla]".into()));
        };
        let kolla = aio_kolla::KollaProvider::new(d.clone(), &self.state_dir, self.netns.clone());
        let dir = kolla.config_dir().display().to_string();
        if !std::io::stdin().is_terminal() {
            return Err(Failure::Refused("kolla-ansible destroy removes every OpenStack container and volume: it needs a terminal to confirm".into()));
        }
        print!(
            "\nkolla-ansible destroy removes every OpenStack container and volume of {dir}.\nType {dir} to go ahead: "
        );
        std::io::stdout().flush().ok();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer).ok();
        if answer.trim() != dir {
            return Err(Failure::Refused("kolla-ansible destroy cancelled".into()));
        }
        kolla.destroy().map_err(|e| Failure::Refused(e.to_string()))
    }

    /// The names of the links the topology manages (also those only addressed).
    pub fn link_names(&self) -> std::collections::HashSet<String> {
        self.desired
            .iter()
            .filter(|r| matches!(r.id.kind(), "link" | "address"))
            .filter_map(|r| r.id.name().split('/').next())
            .map(str::to_string)
            .collect()
    }

    /// Where the topology's OVSDB is, if it has `[ovs]`.
    pub fn ovs_address(&self) -> Option<String> {
        self.ovs_address.clone()
    }

    /// Keeps a probed VIP, so later runs do not probe again.
    pub fn remember_vip(&self) -> Result<(), Failure> {
        match (self.probed_vip, self.facts.vip) {
            (true, Some(vip)) => aio_kolla::vip::remember(&self.state_dir, vip)
                .map_err(|e| Failure::Refused(e.to_string())),
            _ => Ok(()),
        }
    }
}
