//! Cutting a plan into the batches handed to providers, in dependency order.
//!
//! Every change of an atomic provider goes into one batch (its one
//! transaction), placed after everything any of them depends on. Other
//! changes keep plan order; consecutive ones of the same provider that do not
//! depend on each other share a batch, so the provider can send them at once.

use indexmap::IndexMap;

use crate::graph::{CycleError, order};
use crate::plan::{Action, Change};
use crate::resource::ResourceId;

pub fn batches(
    changes: &[Change],
    atomic: impl Fn(&str) -> bool,
) -> Result<Vec<Vec<&Change>>, CycleError> {
    // Units: one per atomic provider, one per other change; named like resources so `order` can sort them.
    let unit_of = |c: &Change| {
        if atomic(&c.provider) {
            ResourceId::new("atomic", &c.provider)
        } else {
            c.id.clone()
        }
    };
    let by_id: IndexMap<&ResourceId, ResourceId> =
        changes.iter().map(|c| (&c.id, unit_of(c))).collect();
    let mut units: IndexMap<ResourceId, (Vec<&Change>, Vec<ResourceId>)> = IndexMap::new();
    for c in changes {
        let unit = by_id[&c.id].clone();
        let deps: Vec<ResourceId> = c
            .deps
            .iter()
            .filter_map(|d| by_id.get(d))
            .filter(|u| **u != unit)
            .cloned()
            .collect();
        let entry = units.entry(unit).or_default();
        entry.0.push(c);
        entry.1.extend(deps);
    }
    let sorted = order(units.iter().map(|(id, (_, deps))| (id, deps.as_slice())))?;

    let mut out: Vec<Vec<&Change>> = Vec::new();
    for unit in sorted {
        let (members, _) = &units[&unit];
        let joins = |g: &Vec<&Change>| {
            let c = members[0];
            unit.kind() != "atomic"
                && by_id[&g[0].id].kind() != "atomic"
                && g[0].provider == c.provider
                && (g[0].action == Action::Delete) == (c.action == Action::Delete)
                && !g
                    .iter()
                    .any(|o| c.deps.contains(&o.id) || o.deps.contains(&c.id))
        };
        match out.last_mut() {
            Some(g) if joins(g) => g.push(members[0]),
            _ => out.push(members.clone()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(id: &str, provider: &str, action: Action, deps: &[&str]) -> Change {
        Change {
            id: ResourceId(id.into()),
            provider: provider.into(),
            action,
            before: None,
            after: None,
            deps: deps.iter().map(|d| ResourceId((*d).into())).collect(),
            detail: None,
        }
    }

    fn ids(batches: &[Vec<&Change>]) -> Vec<Vec<String>> {
        batches
            .iter()
            .map(|b| b.iter().map(|c| c.id.0.clone()).collect())
            .collect()
    }

    #[test]
    fn independent_changes_of_one_provider_share_a_batch() {
        let plan = [
            change("link/a", "nl", Action::Create, &[]),
            change("link/b", "nl", Action::Create, &[]),
            change("address/a", "nl", Action::Create, &["link/a"]),
        ];
        assert_eq!(
            ids(&batches(&plan, |_| false).unwrap()),
            [vec!["link/a", "link/b"], vec!["address/a"]]
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
