//! `aio adopt`: taking over a host that another tool built (the seed's
//! scripts): the objects that are what the topology declares become aio's,
//! masquerade rules doing a `[[nat]]` entry's work are replaced by aio's
//! one, and the boot units that would make them again are disabled.

use std::path::Path;

use aio_engine::Plan;

use crate::follow_up::FollowUp;
use crate::seed::{self, BootUnit};
use crate::{Applied, Host, HostError};

/// What `aio adopt` would do.
#[derive(Debug, Clone)]
pub struct Adoption {
    /// Takes over what exists, removes duplicates, makes what is missing.
    pub plan: Plan,
    /// The old installer's boot units; the enabled ones are disabled.
    pub units: Vec<BootUnit>,
}

impl Adoption {
    /// Nothing to take over, make or disable.
    pub fn is_empty(&self) -> bool {
        self.plan.is_empty() && self.units.iter().all(|u| u.enabled_by.is_empty())
    }
}

impl Host {
    /// The adoption plan; boot units are looked for under `root` (`/` on a host).
    pub async fn adoption(&self, root: &Path) -> Result<Adoption, HostError> {
        let plan = self.engine.plan_adoption(self.desired()).await?;
        Ok(Adoption {
            plan: self.with_facts(plan),
            units: seed::boot_units(root, self.topology()),
        })
    }

    /// Carries out `adoption`: the plan, then the boot units disabled.
    pub async fn adopt(
        &self,
        adoption: &Adoption,
        follow_up: &mut dyn FnMut(FollowUp<'_>),
    ) -> Result<Applied, HostError> {
        let applied = if adoption.plan.is_empty() {
            Applied {
                applied: 0,
                waiting: adoption.plan.waiting.len(),
            }
        } else {
            self.apply(&adoption.plan, follow_up).await?
        };
        for unit in &adoption.units {
            seed::disable(unit)
                .map_err(|e| HostError::Refused(format!("cannot disable {}: {e}", unit.name)))?;
        }
        Ok(applied)
    }
}
