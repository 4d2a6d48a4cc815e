//! `aio adopt`: taking over a host that another tool built (the seed's
//! scripts): the objects that are what the topology declares become aio's,
//! masquerade rules doing a `[[nat]]` entry's work are replaced by aio's
//! one, and the boot units that would make them again are disabled.

use std::path::Path;

use aio_engine::Plan;

use crate::applied::FollowUp;
use crate::seed::{self, BootUnits};
use crate::{Applied, Host, HostError};

/// What `aio adopt` would do.
#[derive(Debug, Clone)]
pub struct Adoption {
    /// Takes over what exists, removes duplicates, makes what is missing.
    pub plan: Plan,
    /// The old installer's boot units (the enabled ones are disabled), and
    /// those left alone.
    pub units: BootUnits,
}

impl Host {
    /// The adoption plan. Boot units are looked for under `root`; without
    /// one, under `/` on the host, and nowhere in a namespace (the host's
    /// units are not the namespace's).
    pub async fn adoption(&self, root: Option<&Path>) -> Result<Adoption, HostError> {
        let plan = self.engine.plan_adoption(self.desired()).await?;
        let root = match (root, &self.target().netns) {
            (Some(root), _) => Some(root),
            (None, None) => Some(Path::new("/")),
            (None, Some(_)) => None,
        };
        let units = match root {
            Some(root) => seed::boot_units(root, self.topology(), self.facts())?,
            None => BootUnits::not_looked_for(),
        };
        Ok(Adoption {
            plan: self.with_facts(plan),
            units,
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
        adoption.units.disable()?;
        Ok(applied)
    }
}
