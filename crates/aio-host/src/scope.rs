//! A plan within a scope (what one `aio watch` event names) costs what the
//! scope holds, not what the topology holds: where each resource is among
//! the desired ones and what depends on it are indexed once (`aio watch`
//! does it when it starts), and each scope is found and cut out through
//! the index.

use std::collections::{BTreeSet, HashMap};

use aio_engine::{FastHash, Resource, ResourceId};

/// Ten thousand triples are forty thousand ids.
type Map<K, V> = HashMap<K, V, FastHash>;

/// Positions in the desired resources, by id and by what they depend on.
pub(crate) struct Index {
    position: Map<ResourceId, usize>,
    /// For each resource, the positions of those that depend on it.
    dependents: Map<ResourceId, Vec<usize>>,
}

impl Index {
    pub(crate) fn of(desired: &[Resource]) -> Index {
        let mut index = Index {
            position: Map::default(),
            dependents: Map::default(),
        };
        for (i, r) in desired.iter().enumerate() {
            index.position.insert(r.id.clone(), i);
            for d in &r.deps {
                index.dependents.entry(d.clone()).or_default().push(i);
            }
        }
        index
    }

    /// The desired resources among `touched`, and what depends on them,
    /// transitively (a bridge made again needs its ports and addresses
    /// again).
    pub(crate) fn closure(
        &self,
        desired: &[Resource],
        touched: &BTreeSet<ResourceId>,
    ) -> BTreeSet<ResourceId> {
        let mut scope: BTreeSet<ResourceId> = touched
            .iter()
            .filter(|id| self.position.contains_key(*id))
            .cloned()
            .collect();
        let mut next: Vec<ResourceId> = scope.iter().cloned().collect();
        while let Some(id) = next.pop() {
            for &i in self.dependents.get(&id).into_iter().flatten() {
                let dependent = &desired[i].id;
                if scope.insert(dependent.clone()) {
                    next.push(dependent.clone());
                }
            }
        }
        scope
    }

    /// The desired resources in `scope`, in their order among all of them.
    pub(crate) fn resources<'a>(
        &self,
        desired: &[Resource],
        scope: impl IntoIterator<Item = &'a ResourceId>,
    ) -> Vec<Resource> {
        let mut at: Vec<usize> = scope
            .into_iter()
            .filter_map(|id| self.position.get(id).copied())
            .collect();
        at.sort_unstable();
        at.dedup();
        at.into_iter().map(|i| desired[i].clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aio_engine::Kind;

    const THING: Kind = Kind::new("thing");

    fn id(name: &str) -> ResourceId {
        ResourceId::new(&THING, name)
    }

    fn resource(name: &str, deps: &[&str]) -> Resource {
        deps.iter()
            .fold(Resource::new(id(name), "test"), |r, d| r.after(id(d)))
    }

    #[test]
    fn a_scope_holds_what_depends_on_it_transitively_in_declared_order() {
        // br <- port <- address; other alone; veth <- port too.
        let desired = vec![
            resource("other", &[]),
            resource("br", &[]),
            resource("veth", &[]),
            resource("port", &["br", "veth"]),
            resource("address", &["port"]),
        ];
        let index = Index::of(&desired);
        let touched: BTreeSet<ResourceId> = [id("br"), id("not-desired")].into();
        let scope = index.closure(&desired, &touched);
        let names: Vec<&str> = scope.iter().map(|i| i.name()).collect();
        assert_eq!(names, ["address", "br", "port"]);
        let cut: Vec<String> = index
            .resources(&desired, &scope)
            .iter()
            .map(|r| r.id.name().to_string())
            .collect();
        assert_eq!(cut, ["br", "port", "address"]);
        let alone = index.closure(&desired, &[id("other")].into());
        assert_eq!(alone, [id("other")].into());
    }
}
