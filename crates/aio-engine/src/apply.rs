//! One apply of a plan, in three steps: execute its batches in order,
//! recording ownership before each and what each did after; verify by
//! planning again; learn the identities of what it made. A failed batch or
//! a plan that did not converge is undone (with rollback on), only what
//! this apply made.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use crate::diff::diff;
use crate::error::ApplyError;
use crate::observed::{Identity, Observed};
use crate::plan::{Action, Change, Plan};
use crate::provider::{Provider, ProviderError, Providers};
use crate::resource::{Resource, ResourceId};
use crate::rollback::roll_back;
use crate::state::{Cached, OwnedEntry, Saved, State};

/// What an apply has done so far, and the state it keeps on disk.
pub(crate) struct Apply<'a> {
    providers: &'a Providers,
    state_dir: &'a Path,
    rollback: bool,
    /// Shared with what was last written: copied on the first change after
    /// a write, never to write it (a copy of thousands of entries).
    state: Arc<State>,
    /// Written only when it changed: each write is two fsyncs.
    saved: Saved<'a>,
    /// Whether `state` changed since it was last written. Kept as it
    /// changes: at thousands of objects, comparing the state whole to find
    /// out costs as much as a repair.
    unsaved: bool,
    /// What this apply deleted, with what aio knew of it.
    deleted: BTreeMap<ResourceId, Arc<OwnedEntry>>,
    /// The changes carried out, in order.
    done: Vec<&'a Change>,
    /// The creations claimed before the first batch (see [`Apply::claim_ahead`]).
    ahead: Vec<&'a Change>,
    applied: usize,
}

impl<'a> Apply<'a> {
    /// An apply of `plan` against the state on disk, which forgets first
    /// what the plan released (gone, or made again by someone else).
    pub(crate) fn start(
        providers: &'a Providers,
        state_dir: &'a Path,
        cache: &'a Cached,
        rollback: bool,
        plan: &Plan,
    ) -> Result<Apply<'a>, ApplyError> {
        let on_disk = cache.shared(state_dir)?;
        let mut state = on_disk.clone();
        let unsaved = State::release_shared(&mut state, &plan.released);
        Ok(Apply {
            providers,
            state_dir,
            rollback,
            state,
            saved: Saved::new(on_disk, cache),
            unsaved,
            deleted: BTreeMap::new(),
            done: Vec::new(),
            ahead: Vec::new(),
            applied: 0,
        })
    }

    /// How many changes were carried out.
    pub(crate) fn applied(&self) -> usize {
        self.applied
    }

    /// Carries out one batch (changes of one provider that do not depend on
    /// each other). On failure, undoes what this apply made so far.
    pub(crate) async fn execute(&mut self, batch: &[&'a Change]) -> Result<(), ApplyError> {
        let provider = &self.providers[&batch[0].provider];
        self.unsaved |= self.claim(provider.as_ref(), batch);
        self.save()?;
        if let Err(error) = provider.apply(batch).await {
            return Err(self.fail(batch, error).await);
        }
        self.applied += batch.len();
        self.done.extend(batch.iter().copied());
        for c in batch.iter().filter(|c| c.action == Action::Delete) {
            if let Some(entry) = self.forget(&c.id) {
                self.deleted.insert(c.id.clone(), entry);
                self.unsaved = true;
            }
        }
        self.save()
    }

    /// Records every creation of the apply as aio's in one write before the
    /// first batch, instead of one write of the whole state before each
    /// batch (each batch still claims the rest of what it makes: a replace,
    /// an adoption). A failed batch forgets the claims of what was not
    /// made, in it and in every batch after it.
    pub(crate) fn claim_ahead(&mut self, changes: &[&'a Change]) -> Result<(), ApplyError> {
        for c in changes.iter().filter(|c| c.action == Action::Create) {
            if self.providers[&c.provider].deletes(&c.id) {
                self.owned_mut().insert(c.id.clone(), claimed(c));
                self.ahead.push(c);
            }
        }
        self.unsaved |= !self.ahead.is_empty();
        self.save()
    }

    /// Records what `batch` will make as aio's before it is made: a crash
    /// in between leaves an owned object, never an orphan aio would not
    /// dare to prune. Forgets the identity of what an update may give a
    /// new one (an nftables rule replaced gets a new handle): it is learnt
    /// again once done.
    ///
    /// Whether the state changed (a creation claimed ahead is claimed already).
    fn claim(&mut self, provider: &dyn Provider, batch: &[&Change]) -> bool {
        let mut changed = false;
        for c in batch
            .iter()
            .filter(|c| c.action.claims() && provider.deletes(&c.id))
        {
            let entry = claimed(c);
            if self.state.owned.get(&c.id) != Some(&entry) {
                self.owned_mut().insert(c.id.clone(), entry);
                changed = true;
            }
        }
        let remade = |c: &&&Change| c.action == Action::Update && !provider.keeps_identity();
        for c in batch.iter().filter(remade) {
            if self
                .state
                .owned
                .get(&c.id)
                .is_some_and(|e| e.identity.is_some())
                && let Some(entry) = self.owned_mut().get_mut(&c.id)
            {
                Arc::make_mut(entry).identity = None;
                changed = true;
            }
        }
        changed
    }

    /// The error of a failed batch, once what it did not make is forgotten
    /// and what this apply made is undone.
    async fn fail(&mut self, batch: &[&'a Change], error: ProviderError) -> ApplyError {
        // What the failed batch made, as its provider says, and the rest.
        let (made, not_made): (Vec<&Change>, Vec<&Change>) = batch
            .iter()
            .copied()
            .partition(|c| error.applied.contains(&c.id));
        // What the failed batch did not make is not aio's, whoever makes it later.
        for c in not_made.iter().filter(|c| c.action.claims()) {
            self.unsaved |= self.forget(&c.id).is_some();
        }
        self.done.extend(&made);
        // Nor what the batches after it were to create.
        let done: BTreeSet<&ResourceId> = self.done.iter().map(|c| &c.id).collect();
        let never_made: Vec<&ResourceId> = self
            .ahead
            .iter()
            .filter(|c| !done.contains(&c.id))
            .map(|c| &c.id)
            .collect();
        for id in never_made {
            self.unsaved |= self.forget(id).is_some();
        }
        let rolled_back = match self.undo(&error).await {
            Ok(undone) => undone,
            Err(e) => return e,
        };
        if let Err(e) = self.save() {
            return e;
        }
        // The change that failed: the first its provider does not say it made.
        let failed = not_made.first().copied().unwrap_or(batch[0]);
        ApplyError::Failed {
            // Those of the failed batch its provider says it made count too.
            applied: self.applied + made.len(),
            failed: Box::new(failed.id.clone()),
            error,
            rolled_back,
        }
    }

    /// The plan of what is still different from `desired` once `plan` was
    /// carried out (no changes when the system converged), and what was
    /// observed to make it. Verified
    /// against a state that still owns what was deleted, so a deletion
    /// that did not happen shows up as a difference.
    pub(crate) async fn verify(
        &self,
        plan: &Plan,
        desired: &[Resource],
    ) -> Result<(Plan, Observed), ApplyError> {
        // Copied only when something was deleted: the state may hold thousands.
        let verify_state = match self.deleted.is_empty() {
            true => Cow::Borrowed(&*self.state),
            false => {
                let mut with_deleted = State::clone(&self.state);
                with_deleted.owned.extend(self.deleted.clone());
                Cow::Owned(with_deleted)
            }
        };
        // A plan limited to a scope is verified within it.
        let scope: Option<BTreeSet<ResourceId>> =
            plan.scope.as_ref().map(|s| s.iter().cloned().collect());
        let (mut left, seen) = diff(self.providers, desired, &verify_state, scope.as_ref()).await?;
        left.changes = still_different(plan, std::mem::take(&mut left.changes));
        Ok((left, seen))
    }

    /// Learns, from what was observed, the identity of what aio made or
    /// changed: it is known by it from now on. `seen` is let go before the
    /// state is copied and written: at thousands of objects, the live
    /// attributes are the largest thing held.
    pub(crate) fn learn(&mut self, seen: Observed) -> Result<(), ApplyError> {
        let learnt: Vec<(ResourceId, Identity)> = self
            .state
            .owned
            .iter()
            .filter(|(_, e)| e.identity.is_none())
            .filter_map(|(id, _)| Some((id.clone(), seen.identity(id)?.clone())))
            .collect();
        drop(seen);
        self.unsaved |= !learnt.is_empty();
        for (id, identity) in learnt {
            if let Some(entry) = self.owned_mut().get_mut(&id) {
                Arc::make_mut(entry).identity = Some(identity);
            }
        }
        self.save()
    }

    /// Undoes what this apply made, since the system did not converge:
    /// `left` is the verifying plan.
    pub(crate) async fn not_converged(mut self, left: Plan) -> ApplyError {
        let why = ProviderError::failed("the system did not converge");
        let rolled_back = match self.undo(&why).await {
            Ok(undone) => undone,
            Err(e) => return e,
        };
        if let Err(e) = self.save() {
            return e;
        }
        ApplyError::NotConverged {
            left: Box::new(left),
            rolled_back,
        }
    }

    /// The entries, to change: copied first if the last write still shares them.
    fn owned_mut(&mut self) -> &mut BTreeMap<ResourceId, Arc<OwnedEntry>> {
        &mut Arc::make_mut(&mut self.state).owned
    }

    /// Forgets `id`'s entry, if any; copies the entries only then.
    fn forget(&mut self, id: &ResourceId) -> Option<Arc<OwnedEntry>> {
        State::forget_shared(&mut self.state, id)
    }

    /// Writes the state if it changed since it was last written.
    pub(crate) fn save(&mut self) -> Result<(), ApplyError> {
        if self.unsaved {
            self.saved.save(&self.state, self.state_dir)?;
            self.unsaved = false;
        }
        Ok(())
    }

    /// With rollback on, undoes what was done (newest first) and forgets
    /// what it created; returns what was undone. `error` is why the apply
    /// failed.
    async fn undo(&mut self, error: &ProviderError) -> Result<Vec<ResourceId>, ApplyError> {
        if !self.rollback {
            return Ok(Vec::new());
        }
        let undone = roll_back(self.providers, &self.done).await.map_err(|e| {
            ApplyError::RollbackFailed {
                error: error.clone(),
                rollback: e,
            }
        })?;
        // What this apply created is gone again.
        let made: Vec<&ResourceId> = self
            .done
            .iter()
            .filter(|c| c.action.claims())
            .map(|c| &c.id)
            .collect();
        for id in made {
            self.unsaved |= self.forget(id).is_some();
        }
        Ok(undone)
    }
}

/// What aio records of `c`'s object before it is made: whose, and after
/// what; its identity is learnt once it exists.
fn claimed(c: &Change) -> Arc<OwnedEntry> {
    Arc::new(OwnedEntry {
        provider: c.provider.clone(),
        deps: c.deps.clone(),
        identity: None,
    })
}

/// Of the verifying plan's changes, those this apply had to make.
fn still_different(plan: &Plan, mut left: Vec<Change>) -> Vec<Change> {
    // What the plan left waiting or could not see is not this apply's to verify
    // (what waited may have become possible meanwhile).
    let held = |id: &ResourceId| {
        plan.waiting
            .iter()
            .chain(&plan.unavailable)
            .any(|p| p.id == *id)
    };
    left.retain(|c| !held(&c.id));
    if let Some(scope) = &plan.scope {
        left.retain(|c| scope.contains(&c.id));
    }
    // An adoption plan is verified for what it took over; what is
    // missing or different otherwise (even an adopted object's
    // attributes) is the next plan's.
    if plan.changes.iter().any(|c| c.action == Action::Adopt) {
        let planned = |id: &ResourceId| plan.changes.iter().any(|c| c.id == *id);
        left.retain(|c| planned(&c.id) && c.action != Action::Update);
    }
    left
}
