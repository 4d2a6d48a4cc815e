//! Plan and apply: observe through the providers, diff, execute in order,
//! keep ownership in the state, verify.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::adopt;
use crate::batch::batches;
use crate::diff::diff;
use crate::error::{ApplyError, PlanError};
use crate::plan::{Action, Change, Plan};
use crate::provider::{Provider, ProviderError, Providers};
use crate::resource::{ProviderName, Resource, ResourceId};
use crate::rollback::roll_back;
use crate::state::{self, OwnedEntry, Saved, State, StateError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplyReport {
    pub applied: usize,
}

/// The reconciler: providers plug in by name; the engine knows none of them.
pub struct Engine {
    providers: Providers,
    state_dir: PathBuf,
    /// The state file as last read or written.
    state: state::Cached,
    rollback: bool,
}

impl Engine {
    pub fn new(state_dir: impl Into<PathBuf>) -> Self {
        Engine {
            providers: Providers::new(),
            state_dir: state_dir.into(),
            state: state::Cached::default(),
            rollback: true,
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
        let before = state.owned.len();
        for p in &plan.released {
            state.owned.remove(&p.id);
        }
        if state.owned.len() != before {
            state.save(&self.state_dir)?;
        }
        Ok(())
    }

    /// Carries out `plan`, then re-observes and fails unless the system now matches `desired`.
    pub async fn apply(
        &self,
        plan: &Plan,
        desired: &[Resource],
    ) -> Result<ApplyReport, ApplyError> {
        self.check_plan(plan)?;
        let on_disk = self.state.shared(&self.state_dir)?;
        let mut state = State::clone(&on_disk);
        // Written only when it changed: each write is two fsyncs.
        let mut saved = Saved::new(on_disk, &self.state);
        // What the plan found gone or made again by someone else is not aio's.
        for p in &plan.released {
            state.owned.remove(&p.id);
        }
        let mut deleted = BTreeMap::new();
        let mut applied = 0;
        let mut done: Vec<&Change> = Vec::new();
        let atomic = |name: &ProviderName| self.providers.get(name).is_some_and(|p| p.atomic());
        for group in batches(&plan.changes, atomic)? {
            let provider = &self.providers[&group[0].provider];
            for c in group
                .iter()
                .filter(|c| c.action.claims() && provider.deletes())
            {
                // Recorded before creating: a crash in between leaves an owned
                // object, never an orphan aio would not dare to prune.
                state.owned.insert(
                    c.id.clone(),
                    OwnedEntry {
                        provider: c.provider.clone(),
                        deps: c.deps.clone(),
                        identity: None,
                    },
                );
            }
            // A change may give an object a new identity (an nftables rule
            // replaced gets a new handle): learnt again once it is done.
            let remade = |c: &&&Change| c.action == Action::Update && !provider.keeps_identity();
            for c in group.iter().filter(remade) {
                if let Some(entry) = state.owned.get_mut(&c.id) {
                    entry.identity = None;
                }
            }
            saved.save(&state, &self.state_dir)?;
            if let Err(error) = provider.apply(&group).await {
                // What the failed batch made, as its provider says, and the rest.
                let (made, not_made): (Vec<&Change>, Vec<&Change>) = group
                    .iter()
                    .copied()
                    .partition(|c| error.applied.contains(&c.id));
                // What the failed batch did not make is not aio's, whoever makes it later.
                for c in not_made.iter().filter(|c| c.action.claims()) {
                    state.owned.remove(&c.id);
                }
                done.extend(&made);
                let rolled_back = self.undo(&done, &mut state, &error).await?;
                saved.save(&state, &self.state_dir)?;
                // The change that failed: the first its provider does not say it made.
                let failed = not_made.first().copied().unwrap_or(group[0]);
                return Err(ApplyError::Failed {
                    // Those of the failed batch its provider says it made count too.
                    applied: applied + made.len(),
                    failed: Box::new(failed.id.clone()),
                    error,
                    rolled_back,
                });
            }
            applied += group.len();
            done.extend(group.iter().copied());
            for c in group.iter().filter(|c| c.action == Action::Delete) {
                if let Some(entry) = state.owned.remove(&c.id) {
                    deleted.insert(c.id.clone(), entry);
                }
            }
            saved.save(&state, &self.state_dir)?;
        }
        // Verify against a state that still owns what was deleted, so a
        // deletion that did not happen shows up as a difference.
        let mut verify_state = state.clone();
        verify_state.owned.extend(deleted);
        // A plan limited to a scope is verified within it.
        let scope: Option<BTreeSet<ResourceId>> =
            plan.scope.as_ref().map(|s| s.iter().cloned().collect());
        let (mut left, seen) =
            diff(&self.providers, desired, &verify_state, scope.as_ref()).await?;
        // What aio made or changed is known by its identity from now on.
        let mut learnt = false;
        for (id, entry) in state.owned.iter_mut().filter(|(_, e)| e.identity.is_none()) {
            if let Some(identity) = seen.identity(id) {
                entry.identity = Some(identity.clone());
                learnt = true;
            }
        }
        if learnt {
            saved.save(&state, &self.state_dir)?;
        }
        // What the plan left waiting or could not see is not this apply's to verify
        // (what waited may have become possible meanwhile).
        let held = |id: &ResourceId| {
            plan.waiting
                .iter()
                .chain(&plan.unavailable)
                .any(|p| p.id == *id)
        };
        left.changes.retain(|c| !held(&c.id));
        if let Some(scope) = &plan.scope {
            left.changes.retain(|c| scope.contains(&c.id));
        }
        // An adoption plan is verified for what it took over; what is
        // missing or different otherwise (even an adopted object's
        // attributes) is the next plan's.
        if plan.changes.iter().any(|c| c.action == Action::Adopt) {
            let planned = |id: &ResourceId| plan.changes.iter().any(|c| c.id == *id);
            left.changes
                .retain(|c| planned(&c.id) && c.action != Action::Update);
        }
        if !left.changes.is_empty() {
            // Undone like any other failed apply: only what this apply made.
            let why = ProviderError::failed("the system did not converge");
            let rolled_back = self.undo(&done, &mut state, &why).await?;
            saved.save(&state, &self.state_dir)?;
            return Err(ApplyError::NotConverged {
                left: Box::new(left),
                rolled_back,
            });
        }
        // What was released, when nothing else was written since.
        saved.save(&state, &self.state_dir)?;
        Ok(ApplyReport { applied })
    }

    /// With rollback on, undoes `done` (newest first) and forgets what it
    /// created; returns what was undone. `error` is why the apply failed.
    async fn undo(
        &self,
        done: &[&Change],
        state: &mut State,
        error: &ProviderError,
    ) -> Result<Vec<ResourceId>, ApplyError> {
        if !self.rollback {
            return Ok(Vec::new());
        }
        let undone =
            roll_back(&self.providers, done)
                .await
                .map_err(|e| ApplyError::RollbackFailed {
                    error: error.clone(),
                    rollback: e,
                })?;
        // What this apply created is gone again.
        for c in done.iter().filter(|c| c.action.claims()) {
            state.owned.remove(&c.id);
        }
        Ok(undone)
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
