//! [`Host`]: a topology opened against the live system, with every family's
//! provider wired into one engine.

use std::path::PathBuf;
use std::time::Duration;

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::OnceLock;

use aio_engine::{Engine, Plan, Resource, ResourceId, StateLock};
use aio_family::{Context, Family, Shared, Teardown, Wanted};
use aio_topology::{Facts, Topology};

use crate::applied::{Applied, FollowUp};
use crate::scope::Index;
use crate::{HostError, facts, registry};

/// What a run works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub file: PathBuf,
    /// A rehearsal's network namespace; `None` for the host itself.
    pub netns: Option<String>,
    /// Where aio records what it owns.
    pub state_dir: PathBuf,
    /// Actions to run again though recorded as done (`aio apply --rerun`).
    pub reruns: Vec<String>,
    /// Only these resources (and what they need) are planned (`--target`).
    pub targets: Vec<ResourceId>,
}

pub struct Host {
    target: Target,
    topology: Topology,
    facts: Facts,
    /// What the families of this run share (one netlink connection, the
    /// VIP Kolla chose and where it came from).
    shared: Shared,
    desired: Vec<Resource>,
    notes: Vec<String>,
    families: Vec<Box<dyn Family>>,
    pub(crate) engine: Engine,
    pub(crate) follow_up_timeout: Duration,
    /// `desired` indexed for plans within a scope (made on first use; `watch`
    /// makes it when it starts).
    index: OnceLock<Index>,
}

impl Host {
    /// Loads and checks the file, learns the facts of the system it targets,
    /// and opens every family of the [`registry`].
    pub async fn open(target: Target) -> Result<Host, HostError> {
        Host::open_with(target, registry::families()).await
    }

    /// [`Host::open`] with these families, in this order, instead of the
    /// registry's (a test's family beside aio's own).
    pub async fn open_with(
        target: Target,
        families: Vec<Box<dyn Family>>,
    ) -> Result<Host, HostError> {
        let netns = target.netns.as_deref();
        let shared = Shared::new();
        // The file is parsed, and the state read, on another thread while
        // the families ask the system what they will need whatever the file
        // says (a dump of every link).
        let mut engine = Engine::new(&target.state_dir);
        let file = target.file.clone();
        let warm = engine.warm_state();
        let parse = tokio::task::spawn_blocking(move || {
            let topology = aio_topology::load(&file);
            warm();
            topology
        });
        let prefetch =
            futures::future::join_all(families.iter().map(|f| f.prefetch(netns, &shared)));
        // Once parsed, what follows from the file alone is built while the
        // system is still being read.
        let parsed = async {
            let topology = match parse.await {
                Ok(loaded) => loaded?,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(_) => aio_topology::load(&target.file)?,
            };
            let early: Vec<Option<Wanted>> = families
                .iter()
                .map(|f| f.wanted_from_topology(&topology))
                .collect();
            Ok::<_, HostError>((topology, early))
        };
        let (parsed, _) = tokio::join!(parsed, prefetch);
        let (topology, mut early) = parsed?;
        let facts = facts::gather(&families, &topology, netns, &target.state_dir, &shared).await?;
        topology.check_facts(&facts)?;
        if let Some(ns) = netns {
            let stand_in = families.iter().any(|f| f.stands_in());
            topology.check_rehearsal(ns, stand_in)?;
        }
        let mut desired = Vec::new();
        let mut notes = Vec::new();
        let cx = Context {
            topology: &topology,
            facts: &facts,
            netns,
            state_dir: &target.state_dir,
            reruns: &target.reruns,
            shared: &shared,
        };
        for (family, early) in families.iter().zip(&mut early) {
            let wanted = match early.take() {
                Some(wanted) => wanted,
                None => family.wanted(cx)?,
            };
            desired.extend(wanted.resources);
            notes.extend(wanted.notes);
            if let Some(provider) = family.provider(cx).await? {
                engine = engine.with_provider(provider);
            }
        }
        // Kept for the whole run: without the room each family's extend left.
        desired.shrink_to_fit();
        Ok(Host {
            target,
            topology,
            facts,
            shared,
            desired,
            notes,
            families,
            engine,
            follow_up_timeout: Duration::from_secs(300),
            index: OnceLock::new(),
        })
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// Every resource the topology wants, in the families' order.
    pub fn desired(&self) -> &[Resource] {
        &self.desired
    }

    /// What the families left out and the user should know.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    pub(crate) fn families(&self) -> &[Box<dyn Family>] {
        &self.families
    }

    pub(crate) fn context(&self) -> Context<'_> {
        Context {
            topology: &self.topology,
            facts: &self.facts,
            netns: self.target.netns.as_deref(),
            state_dir: &self.target.state_dir,
            reruns: &self.target.reruns,
            shared: &self.shared,
        }
    }

    /// What the operator may do next, from every family: after an apply of
    /// `applied`, what it made possible; with `None`, whatever applies now.
    pub fn next_steps(&self, applied: Option<&Plan>) -> Vec<String> {
        self.families
            .iter()
            .flat_map(|f| f.next_steps(self.context(), applied))
            .collect()
    }

    /// Whether a failed apply undoes what it did (the default).
    pub fn set_rollback(&mut self, on: bool) {
        self.engine.set_rollback(on);
    }

    /// Waits up to `timeout` for the state dir's lock.
    pub fn lock(&self, timeout: Duration) -> Result<StateLock, HostError> {
        Ok(StateLock::acquire(&self.target.state_dir, timeout)?)
    }

    /// What apply would change, with the facts it was made from.
    pub async fn plan(&self) -> Result<Plan, HostError> {
        let plan = self.engine.plan(&self.desired).await?;
        let plan = crate::target::limit(plan, &self.target.targets, &self.desired, false)?;
        Ok(self.with_facts(plan))
    }

    /// The plan of `touched` and what depends on them, transitively (a
    /// bridge made again needs its ports and addresses again), of those
    /// `ours` keeps: only their providers observe, only them. What `watch`
    /// makes on an event.
    pub(crate) async fn plan_within(
        &self,
        touched: &BTreeSet<ResourceId>,
        ours: impl Fn(&ResourceId) -> bool,
    ) -> Result<Plan, HostError> {
        let index = self.index();
        let mut scope = index.closure(&self.desired, touched);
        scope.retain(|id| ours(id));
        let desired = index.resources(&self.desired, &scope);
        let plan = self.engine.plan_within(&desired, &scope).await?;
        Ok(self.with_facts(plan))
    }

    /// `desired` indexed for plans within a scope (made on first use).
    pub(crate) fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::of(&self.desired))
    }

    /// `plan` with the facts it was made from.
    pub(crate) fn with_facts(&self, mut plan: Plan) -> Plan {
        let mut fact = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                plan.facts.insert(k.into(), v);
            }
        };
        fact("netns", self.target.netns.clone());
        fact("uplink", self.facts.uplink.clone());
        fact(
            "uplink_address",
            self.facts.uplink_address.map(|a| a.to_string()),
        );
        for family in &self.families {
            for (k, v) in family.plan_facts(self.context()) {
                fact(&k, Some(v));
            }
        }
        plan
    }

    /// Everything aio owns, to delete: the plan of wanting nothing.
    pub async fn destroy_plan(&self) -> Result<Plan, HostError> {
        let plan = self.engine.plan(&[]).await?;
        crate::target::limit(plan, &self.target.targets, &self.desired, true)
    }

    /// Drops the claims on what `plan` found no longer aio's.
    pub fn forget(&self, plan: &Plan) -> Result<(), HostError> {
        Ok(self.engine.forget(plan)?)
    }

    /// Carries out `plan`; then, if something it applied lets a waiting
    /// change go ahead (a port on the bridge Kolla's deploy made), waits for
    /// it (see [`FollowUp`]) and applies it in the same run.
    pub async fn apply(
        &self,
        plan: &Plan,
        follow_up: &mut dyn FnMut(FollowUp<'_>),
    ) -> Result<Applied, HostError> {
        self.before_apply()?;
        let applied = self.apply_once(plan).await?;
        if plan.waiting.is_empty() || applied == 0 {
            return Ok(Applied {
                applied,
                waiting: plan.waiting.len(),
            });
        }
        self.follow_up(plan, applied, follow_up).await
    }

    /// Carries out `plan` towards what the topology wants; a failure names
    /// the resource and, when the file declares it, where.
    pub(crate) async fn apply_once(&self, plan: &Plan) -> Result<usize, HostError> {
        // A plan within a scope is verified within it: only its resources.
        let desired = match &plan.scope {
            Some(scope) => Cow::Owned(self.index().resources(&self.desired, scope)),
            None => Cow::Borrowed(&self.desired[..]),
        };
        self.engine
            .apply(plan, &desired)
            .await
            .map(|r| r.applied)
            .map_err(|error| self.located(error))
    }

    /// Carries out a plan made by [`Host::destroy_plan`].
    pub async fn destroy(&self, plan: &Plan) -> Result<usize, HostError> {
        Ok(self.engine.apply(plan, &[]).await?.applied)
    }

    /// The work beyond their resources the families do on `aio destroy`
    /// when asked (`kolla-ansible destroy`), each once `confirm` agreed to
    /// it; how many ran. A refusal stops there.
    pub fn teardown(&self, confirm: &mut dyn FnMut(&Teardown) -> bool) -> Result<usize, HostError> {
        let mut ran = 0;
        for family in &self.families {
            let Some(teardown) = family.teardown(self.context())? else {
                continue;
            };
            if !confirm(&teardown) {
                return Err(HostError::Refused(format!("{} cancelled", teardown.name)));
            }
            family.run_teardown(self.context())?;
            ran += 1;
        }
        Ok(ran)
    }

    /// `FILE:LINE:COL` of what declares `id`, if the file declares it.
    pub fn locate(&self, id: &ResourceId) -> Option<String> {
        let span = self
            .families
            .iter()
            .find_map(|f| f.locate(&self.topology, id))?;
        let (line, col) = self.topology.source.line_col(span.start);
        Some(format!(
            "{}:{line}:{col}",
            self.topology.source.path().display()
        ))
    }

    fn located(&self, error: aio_engine::ApplyError) -> HostError {
        let failed = match &error {
            aio_engine::ApplyError::Failed { failed, .. } => Some(&**failed),
            aio_engine::ApplyError::NotConverged { left, .. } => {
                left.changes.first().map(|c| &c.id)
            }
            _ => None,
        };
        match failed.and_then(|id| self.locate(id)) {
            Some(at) => HostError::ApplyAt {
                at,
                error: Box::new(error),
            },
            None => HostError::Apply(error),
        }
    }

    /// What the families do before an apply changes anything (Kolla keeps
    /// a VIP it chose, so later runs keep it).
    pub(crate) fn before_apply(&self) -> Result<(), HostError> {
        for family in &self.families {
            family.before_apply(self.context())?;
        }
        Ok(())
    }
}
