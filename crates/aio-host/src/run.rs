//! One run that changes the system, the same for `aio apply`, `aio apply
//! PLAN`, `aio adopt` and `aio destroy`: take the state dir's lock, make the
//! plan, let the caller show it, forget what is no longer aio's, ask the
//! caller to confirm, carry it out with its follow-up. The caller (the
//! [`Operator`]) shows, asks and is told; it decides nothing else.

use std::path::Path;
use std::time::Duration;

use aio_engine::{Plan, StateLock};

use crate::saved::SavedPlanError;
use crate::seed::BootUnits;
use crate::{Adoption, Applied, FollowUp, Host, HostError, SavedPlan};

/// What a run carries out.
#[derive(Debug, Clone, Copy)]
pub enum Intent<'a> {
    /// Make the system match the topology.
    Apply,
    /// Carry out a saved plan, only if the plan made now is the same whole.
    Saved(&'a SavedPlan),
    /// Take over what another tool built; its boot units are looked for
    /// under `root` (see [`Host::adoption`]).
    Adopt { root: Option<&'a Path> },
    /// Delete everything aio owns, newest first.
    Destroy,
}

/// What a run is about to do, for the caller to show and confirm.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub plan: Plan,
    /// With [`Intent::Adopt`]: the old installer's boot units, those to
    /// disable and those left alone.
    pub units: Option<BootUnits>,
}

impl Proposal {
    /// Nothing to change and no boot unit to disable.
    pub fn is_empty(&self) -> bool {
        self.plan.is_empty()
            && self
                .units
                .as_ref()
                .is_none_or(|u| u.enabled().next().is_none())
    }
}

/// The caller's side of a run.
pub trait Operator {
    /// What the run stops with: the caller's own failures, the run's, and
    /// a saved plan's refusal.
    type Error: From<HostError> + From<SavedPlanError>;
    /// Sees the proposal before anything is asked or changed.
    fn show(&mut self, proposal: &Proposal) -> Result<(), Self::Error>;
    /// Whether to go ahead; asked only when there is something to do.
    fn confirm(&mut self, proposal: &Proposal) -> Result<bool, Self::Error>;
    /// Told what the follow-up of the apply does, as it happens.
    fn follow_up(&mut self, event: FollowUp<'_>);
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// There was nothing to do.
    Nothing,
    /// The caller did not confirm: nothing was changed.
    Cancelled,
    /// Carried out (for a destroy: `applied` objects deleted).
    Applied(Applied),
}

/// A run's end: what it proposed and what was done, with the state dir's
/// lock still held, for whatever the caller does next under it.
#[derive(Debug)]
pub struct Outcome {
    pub proposal: Proposal,
    pub done: Done,
    pub lock: StateLock,
}

impl Host {
    /// Runs `intent` under the state dir's lock (waiting up to `lock_timeout`).
    pub async fn run<O: Operator>(
        &self,
        intent: Intent<'_>,
        lock_timeout: Duration,
        operator: &mut O,
    ) -> Result<Outcome, O::Error> {
        let lock = self.lock(lock_timeout)?;
        let proposal = self.propose(intent).await?;
        // Nothing the file holds (changes, facts, descriptions) is trusted:
        // it is the fresh plan that is shown and carried out, if the same.
        if let Intent::Saved(saved) = intent {
            saved.verify(&proposal.plan)?;
        }
        operator.show(&proposal)?;
        // Claims on what is no longer aio's are dropped when nothing else
        // is done, and always before a destroy.
        let forgets = !matches!(intent, Intent::Adopt { .. });
        if forgets && (proposal.plan.is_empty() || matches!(intent, Intent::Destroy)) {
            self.forget(&proposal.plan)?;
        }
        let ended = |proposal, done| Outcome {
            proposal,
            done,
            lock,
        };
        if proposal.is_empty() {
            return Ok(ended(proposal, Done::Nothing));
        }
        if !operator.confirm(&proposal)? {
            return Ok(ended(proposal, Done::Cancelled));
        }
        let mut tell = |event: FollowUp<'_>| operator.follow_up(event);
        let (applied, proposal) = match intent {
            Intent::Apply | Intent::Saved(_) => {
                (self.apply(&proposal.plan, &mut tell).await?, proposal)
            }
            Intent::Destroy => {
                let deleted = self.destroy(&proposal.plan).await?;
                let applied = Applied {
                    applied: deleted,
                    waiting: 0,
                };
                (applied, proposal)
            }
            Intent::Adopt { .. } => {
                let adoption = Adoption {
                    plan: proposal.plan,
                    units: proposal.units.unwrap_or_else(BootUnits::not_looked_for),
                };
                let applied = self.adopt(&adoption, &mut tell).await?;
                let proposal = Proposal {
                    plan: adoption.plan,
                    units: Some(adoption.units),
                };
                (applied, proposal)
            }
        };
        Ok(ended(proposal, Done::Applied(applied)))
    }

    /// The plan of `intent` (for a saved plan, the plan made now).
    async fn propose(&self, intent: Intent<'_>) -> Result<Proposal, HostError> {
        let plan = match intent {
            Intent::Apply | Intent::Saved(_) => self.plan().await?,
            Intent::Destroy => self.destroy_plan().await?,
            Intent::Adopt { root } => {
                let adoption = self.adoption(root).await?;
                return Ok(Proposal {
                    plan: adoption.plan,
                    units: Some(adoption.units),
                });
            }
        };
        Ok(Proposal { plan, units: None })
    }
}
