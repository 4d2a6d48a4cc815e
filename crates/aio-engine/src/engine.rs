//! The engine: plan (observe through the providers, diff, note what may be
//! adopted) and apply (in [`apply`](crate::apply)), keeping ownership in
//! the state.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::adopt;
use crate::apply::Apply;
use crate::batch::batches;
use crate::diff::diff;
use crate::error::{ApplyError, PlanError};
use crate::plan::Plan;
use crate::provider::{Provider, Providers};
use crate::resource::{ProviderName, Resource, ResourceId};
use crate::state::{self, StateError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplyReport {
    pub applied: usize,
}

/// The reconciler: providers plug in by name; the engine knows none of them.
pub struct Engine {
    providers: Providers,
    state_dir: PathBuf,
    /// The state file as last read or written.
    state: Arc<state::Cached>,
    rollback: bool,
}

impl Engine {
    pub fn new(state_dir: impl Into<PathBuf>) -> Self {
        Engine {
            providers: Providers::new(),
            state_dir: state_dir.into(),
            state: Arc::default(),
            rollback: true,
        }
    }

    /// Reads the state file into the engine's cache, for a caller with a
    /// core to spare before its first plan (while it asks the system). The
    /// cache is checked against the file when used, so a file written in
    /// between is read again; a failure is left for the plan to report.
    pub fn warm_state(&self) -> impl FnOnce() + Send + 'static {
        let (cached, dir) = (self.state.clone(), self.state_dir.clone());
        move || {
            let _ = cached.shared(&dir);
        }
    }

    /// Whether a failed apply undoes what it did (on by default).
    pub fn set_rollback(&mut self, rollback: bool) {
        self.rollback = rollback;
    }

    pub fn with_provider(mut self, provider: Box<dyn Provider>) -> Self {
        self.providers.insert(provider.name(), provider);
        self
    }

    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// What it takes to make the system match `desired`, and what exists
    /// that `aio adopt` would take over. Changes nothing.
    pub async fn plan(&self, desired: &[Resource]) -> Result<Plan, PlanError> {
        let state = self.state.shared(&self.state_dir)?;
        let (mut plan, observed) = diff(&self.providers, desired, &state, None).await?;
        let foreign = adopt::foreign(&self.providers, desired, &plan).await;
        adopt::note(
            &mut plan,
            &self.providers,
            desired,
            &observed,
            &state,
            foreign,
        );
        self.check(plan)
    }

    /// The plan of the resources in `scope` alone: only their providers
    /// observe, only them; what lies outside is taken as it is, and
    /// nothing is noted for adoption. What `aio watch` makes when an event
    /// names what changed.
    pub async fn plan_within(
        &self,
        desired: &[Resource],
        scope: &BTreeSet<ResourceId>,
    ) -> Result<Plan, PlanError> {
        let state = self.state.shared(&self.state_dir)?;
        let (plan, _) = diff(&self.providers, desired, &state, Some(scope)).await?;
        self.check(plan)
    }

    /// The plan that takes over what exists and is what `desired` declares
    /// but is not aio's, besides making the rest. Changes nothing.
    pub async fn plan_adoption(&self, desired: &[Resource]) -> Result<Plan, PlanError> {
        let state = self.state.shared(&self.state_dir)?;
        let (plan, observed) = diff(&self.providers, desired, &state, None).await?;
        let foreign = adopt::foreign(&self.providers, desired, &plan).await;
        let plan = adopt::adoption(plan, &self.providers, desired, &observed, &state, foreign);
        self.check(plan)
    }

    /// `plan`, once every provider accepted its changes.
    fn check(&self, plan: Plan) -> Result<Plan, PlanError> {
        for change in &plan.changes {
            self.providers[&change.provider]
                .check(change)
                .map_err(|error| PlanError::Refused {
                    id: change.id.clone(),
                    error,
                })?;
        }
        Ok(plan)
    }

    /// Drops the claims `plan` released (objects gone or made again by
    /// someone else), changing nothing on the system.
    pub fn forget(&self, plan: &Plan) -> Result<(), StateError> {
        if plan.released.is_empty() {
            return Ok(());
        }
        let mut state = self.state.load(&self.state_dir)?;
        if state.release(&plan.released) {
            state.save(&self.state_dir)?;
        }
        Ok(())
    }

    /// Carries out `plan`, then re-observes and fails unless the system now
    /// matches `desired`: execute each batch in order, verify, learn the
    /// identities of what was made.
    pub async fn apply(
        &self,
        plan: &Plan,
        desired: &[Resource],
    ) -> Result<ApplyReport, ApplyError> {
        self.check_plan(plan)?;
        let mut apply = Apply::start(
            &self.providers,
            &self.state_dir,
            &self.state,
            self.rollback,
            plan,
        )?;
        let atomic = |name: &ProviderName| self.providers.get(name).is_some_and(|p| p.atomic());
        let batches = batches(&plan.changes, atomic)?;
        apply.claim_ahead(&batches.concat())?;
        for batch in batches {
            apply.execute(&batch).await?;
        }
        let (left, seen) = apply.verify(plan, desired).await?;
        apply.learn(seen)?;
        if !left.changes.is_empty() {
            // Undone like any other failed apply: only what this apply made.
            return Err(apply.not_converged(left).await);
        }
        // What was released, when nothing else was written since.
        apply.save()?;
        Ok(ApplyReport {
            applied: apply.applied(),
        })
    }

    /// Refuses a plan no [`Engine::plan`] makes: a provider that is not
    /// here, a resource changed twice.
    fn check_plan(&self, plan: &Plan) -> Result<(), ApplyError> {
        if let Some(c) = plan
            .changes
            .iter()
            .find(|c| !self.providers.contains_key(&c.provider))
        {
            return Err(ApplyError::BadPlan(format!(
                "{} needs provider `{}`, which is not available",
                c.id, c.provider
            )));
        }
        match plan.changed_twice() {
            Some(id) => Err(ApplyError::BadPlan(format!("{id} is changed twice"))),
            None => Ok(()),
        }
    }
}
