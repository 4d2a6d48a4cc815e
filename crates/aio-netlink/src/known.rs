//! The link indexes the provider knows between observe and apply: from the
//! last observe, then from a link dump when a batch names a link they do
//! not know after earlier batches created links, or after links were
//! deleted.

use rtnetlink::Handle;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use aio_engine::{Change, ProviderError, Since, Writes};

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
    fn after(&mut self, deleted: bool, created: bool) {
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
///
/// Two callers can be at work at once (the two lanes of `aio watch`): a
/// dump can start before a batch creates or deletes links and end after
/// it. What such a dump shows must not replace what the batch left known,
/// so each batch that created or deleted links is counted, and a dump
/// taken across one is kept as stale (see [`KnownIndexes::settle`]).
#[derive(Default)]
pub struct KnownIndexes {
    known: Mutex<Known>,
    /// Batches that created or deleted links.
    batches: Writes,
}

impl KnownIndexes {
    fn lock(&self) -> MutexGuard<'_, Known> {
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Taken before a dump starts, for [`KnownIndexes::settle`].
    pub fn since(&self) -> Since {
        self.batches.since()
    }

    /// What a dump started at `since` shows becomes what is known; stale if
    /// a batch created or deleted links meanwhile (the dump may or may not
    /// show them). `also` runs under the same lock: what else is kept of
    /// the dump (the snapshot indexes are read off) changes with it.
    pub fn settle(&self, since: Since, mut fresh: Known, also: impl FnOnce()) {
        let mut known = self.lock();
        fresh.stale |= self.batches.spanned(since);
        also();
        *known = fresh;
    }

    /// Nothing known: the links are dumped at the next apply.
    pub fn forget(&self) {
        *self.lock() = Known::stale();
    }

    /// After a batch: links were `deleted`, links were `created`.
    pub fn after(&self, deleted: bool, created: bool) {
        let mut known = self.lock();
        if deleted || created {
            self.batches.wrote();
        }
        known.after(deleted, created);
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
        let since = self.since();
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
        self.settle(since, fresh, || {});
        Ok(by_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen() -> Known {
        Known::later(&Snapshot::default())
    }

    #[test]
    fn a_dump_taken_across_a_batch_that_made_links_is_kept_as_stale() {
        for (deleted, created) in [(false, true), (true, false)] {
            let known = KnownIndexes::default();
            let since = known.since();
            // Another caller's batch lands while the dump is on its way.
            known.after(deleted, created);
            known.settle(since, seen(), || {});
            assert!(known.lock().stale, "deleted {deleted}, created {created}");
        }
    }

    #[test]
    fn a_dump_taken_after_every_batch_is_what_is_known() {
        let known = KnownIndexes::default();
        known.after(true, true);
        let since = known.since();
        // A batch that made and removed nothing changes nothing known.
        known.after(false, false);
        let mut kept = false;
        known.settle(since, seen(), || kept = true);
        let k = known.lock();
        assert!(kept);
        assert!(!k.stale && !k.created, "the dump saw every batch");
    }
}
