//! Dependency order (Kahn's algorithm; among ready nodes the earliest declared goes first).

use indexmap::IndexMap;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::resource::ResourceId;

/// How aio hashes names and ids: foldhash, not SipHash. They are the
/// system's own names, not an attacker's, and a plan of thousands of
/// resources hashes each several times.
pub type FastHash = foldhash::fast::FixedState;

/// A map keyed by resource ids, in insertion order.
pub(crate) type IdMap<K, V> = IndexMap<K, V, FastHash>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dependency cycle between: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
pub struct CycleError(pub Vec<ResourceId>);

/// Sorts `nodes` so that each comes after those of its dependencies that are
/// also in `nodes` (dependencies outside the set are already satisfied).
pub fn order<'a>(
    nodes: impl IntoIterator<Item = (&'a ResourceId, &'a [ResourceId])>,
) -> Result<Vec<ResourceId>, CycleError> {
    let deps: IdMap<&ResourceId, &[ResourceId]> = nodes.into_iter().collect();
    let mut waiting: IdMap<&ResourceId, usize> = deps
        .iter()
        .map(|(id, ds)| (*id, ds.iter().filter(|d| deps.contains_key(d)).count()))
        .collect();
    let mut dependents: IdMap<&ResourceId, Vec<&ResourceId>> = IdMap::default();
    for (id, ds) in &deps {
        for d in ds.iter().filter(|d| deps.contains_key(d)) {
            dependents.entry(d).or_default().push(id);
        }
    }
    let mut out = Vec::with_capacity(deps.len());
    // Ready nodes by declaration position: the earliest declared goes first.
    let mut ready: BinaryHeap<Reverse<usize>> = waiting
        .values()
        .enumerate()
        .filter(|(_, n)| **n == 0)
        .map(|(i, _)| Reverse(i))
        .collect();
    while let Some(Reverse(i)) = ready.pop() {
        // Positions and dependents all come from `waiting`: always there.
        let Some((&id, _)) = waiting.get_index(i) else {
            continue;
        };
        out.push(id.clone());
        for d in dependents.get(id).into_iter().flatten() {
            let Some((j, _, n)) = waiting.get_full_mut(*d) else {
                continue;
            };
            *n -= 1;
            if *n == 0 {
                ready.push(Reverse(j));
            }
        }
    }
    if out.len() < deps.len() {
        let stuck = waiting
            .into_iter()
            .filter(|(id, _)| !out.contains(id))
            .map(|(id, _)| id.clone())
            .collect();
        return Err(CycleError(stuck));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> ResourceId {
        ResourceId::new(&crate::resource::Kind::new("t"), s)
    }

    #[test]
    fn dependencies_come_first_and_ties_keep_order() {
        let nodes = [
            (id("c"), vec![id("a")]),
            (id("b"), vec![]),
            (id("a"), vec![id("outside")]),
        ];
        let got = order(nodes.iter().map(|(i, d)| (i, d.as_slice()))).unwrap();
        assert_eq!(got, vec![id("b"), id("a"), id("c")]);
    }

    #[test]
    fn cycles_are_reported() {
        let nodes = [
            (id("a"), vec![id("b")]),
            (id("b"), vec![id("a")]),
            (id("c"), vec![]),
        ];
        let err = order(nodes.iter().map(|(i, d)| (i, d.as_slice()))).unwrap_err();
        assert_eq!(err, CycleError(vec![id("a"), id("b")]));
    }
}
