//! Cutting a plan into the batches handed to providers, in dependency order.
//!
//! Deletions come first, dependents before what they depend on; then the
//! rest. Within each phase, changes go in waves: a change is in the wave
//! after the last of its dependencies, and one wave's changes of one
//! provider form one batch, which the provider may send all at once. Every
//! change of an atomic provider (deletions included) forms a single batch,
//! its one transaction, in the wave after everything it depends on.

use indexmap::IndexMap;

use crate::graph::{CycleError, order};
use crate::plan::{Action, Change};
use crate::resource::{Kind, ProviderName, ResourceId};

pub fn batches(
    changes: &[Change],
    atomic: impl Fn(&ProviderName) -> bool,
) -> Result<Vec<Vec<&Change>>, CycleError> {
    let first = |c: &&Change| c.action == Action::Delete && !atomic(&c.provider);
    let (deletes, rest): (Vec<&Change>, Vec<&Change>) = changes.iter().partition(first);
    let mut out = waves(&deletes, &atomic, true)?;
    out.extend(waves(&rest, &atomic, false)?);
    Ok(out)
}

/// The kind of the unit that stands for all of an atomic provider's changes.
const ATOMIC: Kind = Kind::new("atomic");

/// The batches of one phase; `reversed` turns every dependency around.
fn waves<'a>(
    changes: &[&'a Change],
    atomic: &impl Fn(&ProviderName) -> bool,
    reversed: bool,
) -> Result<Vec<Vec<&'a Change>>, CycleError> {
    // Units: one per atomic provider, one per other change; named like
    // resources so `order` can sort them.
    let unit_of = |c: &Change| {
        if atomic(&c.provider) {
            ResourceId::new(&ATOMIC, c.provider.as_str())
        } else {
            c.id.clone()
        }
    };
    let by_id: IndexMap<&ResourceId, ResourceId> =
        changes.iter().map(|c| (&c.id, unit_of(c))).collect();
    let mut units: IndexMap<ResourceId, (Vec<&'a Change>, Vec<ResourceId>)> = changes
        .iter()
        .map(|c| (unit_of(c), (Vec::new(), Vec::new())))
        .collect();
    for c in changes {
        units[&by_id[&c.id]].0.push(c);
        for dep in c.deps.iter().filter_map(|d| by_id.get(d)) {
            let (from, to) = if reversed {
                (dep.clone(), by_id[&c.id].clone())
            } else {
                (by_id[&c.id].clone(), dep.clone())
            };
            if from != to {
                units[&from].1.push(to);
            }
        }
    }
    // A unit's wave: one after the latest wave among what it waits for.
    let mut wave: IndexMap<ResourceId, usize> = IndexMap::new();
    for id in order(units.iter().map(|(id, (_, deps))| (id, deps.as_slice())))? {
        let w = units[&id].1.iter().map(|d| wave[d] + 1).max().unwrap_or(0);
        wave.insert(id, w);
    }
    let mut grouped: IndexMap<(usize, ProviderName, bool), Vec<&'a Change>> = IndexMap::new();
    for (id, (members, _)) in &units {
        let provider = members[0].provider.clone();
        let key = (wave[id], provider, id.is(&ATOMIC));
        grouped.entry(key).or_default().extend(members);
    }
    grouped.sort_by(|a, _, b, _| a.0.cmp(&b.0));
    Ok(grouped.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(id: &str, provider: &'static str, action: Action, deps: &[&str]) -> Change {
        Change {
            id: ResourceId::parse(id).unwrap(),
            provider: provider.into(),
            action,
            before: None,
            after: None,
            deps: deps.iter().map(|d| ResourceId::parse(d).unwrap()).collect(),
            detail: None,
        }
    }

    fn ids(batches: &[Vec<&Change>]) -> Vec<Vec<String>> {
        batches
            .iter()
            .map(|b| b.iter().map(|c| c.id.to_string()).collect())
            .collect()
    }

    #[test]
    fn each_wave_of_one_provider_is_one_batch() {
        let plan = [
            change("link/a", "nl", Action::Create, &[]),
            change("address/a", "nl", Action::Create, &["link/a"]),
            change("link/b", "nl", Action::Create, &[]),
            change("address/b", "nl", Action::Create, &["link/b"]),
        ];
        assert_eq!(
            ids(&batches(&plan, |_| false).unwrap()),
            [vec!["link/a", "link/b"], vec!["address/a", "address/b"]]
        );
    }

    #[test]
    fn deletions_go_first_dependents_before_what_they_need() {
        let plan = [
            change("address/a", "nl", Action::Delete, &["link/a"]),
            change("link/a", "nl", Action::Delete, &[]),
            change("link/c", "nl", Action::Create, &[]),
        ];
        assert_eq!(
            ids(&batches(&plan, |_| false).unwrap()),
            [vec!["address/a"], vec!["link/a"], vec!["link/c"]]
        );
    }

    #[test]
    fn an_atomic_provider_gets_one_batch_after_its_dependencies() {
        let plan = [
            change("ovs/old", "ovs", Action::Delete, &[]),
            change("link/p", "nl", Action::Create, &[]),
            change("ovs/port", "ovs", Action::Create, &["link/p", "ovs/br"]),
            change("ovs/br", "ovs", Action::Create, &[]),
        ];
        let got = ids(&batches(&plan, |p| p == "ovs").unwrap());
        assert_eq!(got, [vec!["link/p"], vec!["ovs/old", "ovs/port", "ovs/br"]]);
    }
}
