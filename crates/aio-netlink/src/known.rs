//! The link indexes the provider knows between observe and apply: from the
//! last observe, then from a link dump when a batch names a link they do
//! not know after earlier batches created links, or after links were
//! deleted.

use rtnetlink::Handle;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use aio_engine::{Change, ProviderError};

use crate::change::names_needed;
use crate::dump::{Addresses, Snapshot, dump_failed};
use crate::indexes::Indexes;

/// At most this many links are asked for one by one; more are dumped.
pub const FEW: usize = 16;

#[derive(Default)]
pub struct Known {
    /// Shared with the batch being applied: no copy per batch. `None`
    /// after an observe until an apply needs them: then read off what that
    /// observe saw (a plan never needs them, and at ten thousand links
    /// they are megabytes).
    by_name: Option<Arc<Indexes>>,
    /// Links were deleted since: an index may be gone (with a veth, its peer's too).
    stale: bool,
    /// Links were created since: a name they do not know may exist now.
    created: bool,
    /// Only some links were observed: a name they do not know may exist.
    partial: bool,
}

impl Known {
    pub fn from(snapshot: &Snapshot) -> Known {
        Known {
            by_name: Some(Arc::new(indexes(snapshot))),
            ..Known::later(snapshot)
        }
    }

    /// What `snapshot` shows, its indexes read off it when first needed
    /// (see [`KnownIndexes::for_changes`]).
    pub fn later(snapshot: &Snapshot) -> Known {
        Known {
            by_name: None,
            stale: false,
            created: false,
            partial: snapshot.partial,
        }
    }

    /// Nothing known: the links are dumped at the next apply.
    pub fn stale() -> Known {
        Known {
            stale: true,
            ..Known::default()
        }
    }

    /// After a batch: links were `deleted`, links were `created`.
    pub fn after(&mut self, deleted: bool, created: bool) {
        self.stale |= deleted;
        self.created |= created;
    }
}

/// Link names and their indexes in `snapshot`.
fn indexes(snapshot: &Snapshot) -> Indexes {
    snapshot
        .links
        .iter()
        .map(|l| (l.name.clone(), l.index))
        .collect()
}

/// What the provider knows, behind the lock every call of it shares.
#[derive(Default)]
pub struct KnownIndexes(Mutex<Known>);

impl KnownIndexes {
    pub fn lock(&self) -> MutexGuard<'_, Known> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Indexes of every link `changes` name that exists: what is known
    /// (read off `last`, what the last observe saw, if not yet), those not
    /// known asked for by name when they are few, else one link dump.
    pub async fn for_changes(
        &self,
        handle: &Handle,
        netns: Option<&str>,
        changes: &[&Change],
        last: &Mutex<Snapshot>,
    ) -> Result<Arc<Indexes>, ProviderError> {
        let (known, unsure) = {
            let mut known = self.lock();
            let by_name = match known.stale {
                // Dumped again below: nothing to read off the last one.
                true => known.by_name.clone().unwrap_or_default(),
                false => known
                    .by_name
                    .get_or_insert_with(|| {
                        Arc::new(indexes(
                            &last.lock().unwrap_or_else(PoisonError::into_inner),
                        ))
                    })
                    .clone(),
            };
            let names = changes.iter().flat_map(|c| names_needed(c));
            let unsure: BTreeSet<String> = match known.created || known.partial {
                true => names.filter(|n| !by_name.contains_key(n)).collect(),
                // Every link was seen: one it does not know does not exist.
                false => BTreeSet::new(),
            };
            if !known.stale && unsure.is_empty() {
                return Ok(by_name);
            }
            (by_name, (!known.stale).then_some(unsure))
        };
        let fresh = match unsure {
            Some(names) if names.len() <= FEW => {
                let names = names.iter().map(String::as_str).collect();
                let found = Snapshot::of_links(handle, &names, Addresses::None)
                    .await
                    .map_err(|e| dump_failed(e.into()))?;
                let mut by_name = Indexes::clone(&known);
                by_name.extend(found.links.iter().map(|l| (l.name.clone(), l.index)));
                Known {
                    by_name: Some(Arc::new(by_name)),
                    ..Known::later(&found)
                }
            }
            _ => Known::from(&Snapshot::links_only(netns).map_err(dump_failed)?),
        };
        let by_name = fresh.by_name.clone().unwrap_or_default();
        *self.lock() = fresh;
        Ok(by_name)
    }
}
