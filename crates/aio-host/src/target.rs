//! `--target ID`: a plan limited to part of the graph. Applying, a target
//! comes with what it needs (its dependencies, transitively); destroying,
//! with what needs it (its dependents), as Terraform's `-target` does.

use std::collections::BTreeSet;

use aio_engine::{Plan, Resource, ResourceId};

use crate::HostError;

/// `plan` limited to `targets` and what comes with them; unchanged without targets.
pub(crate) fn limit(
    mut plan: Plan,
    targets: &[ResourceId],
    desired: &[Resource],
    destroying: bool,
) -> Result<Plan, HostError> {
    if targets.is_empty() {
        return Ok(plan);
    }
    let known = |id: &ResourceId| {
        desired.iter().any(|r| r.id == *id) || plan.changes.iter().any(|c| c.id == *id)
    };
    if let Some(unknown) = targets.iter().find(|t| !known(t)) {
        return Err(HostError::Refused(format!(
            "--target {unknown}: the topology has no such resource and aio owns none (see `aio show` or `aio state list`)"
        )));
    }
    let mut scope: BTreeSet<ResourceId> = targets.iter().cloned().collect();
    // Grow the scope until nothing more comes with it.
    loop {
        let before = scope.len();
        if destroying {
            for c in &plan.changes {
                if c.deps.iter().any(|d| scope.contains(d)) {
                    scope.insert(c.id.clone());
                }
            }
        } else {
            let needed: Vec<ResourceId> = desired
                .iter()
                .filter(|r| scope.contains(&r.id))
                .flat_map(|r| r.deps.iter().cloned())
                .collect();
            scope.extend(needed);
        }
        if scope.len() == before {
            break;
        }
    }
    let inside = |id: &ResourceId| scope.contains(id);
    plan.changes.retain(|c| inside(&c.id));
    plan.waiting.retain(|p| inside(&p.id));
    plan.unavailable.retain(|p| inside(&p.id));
    plan.released.retain(|p| inside(&p.id));
    plan.adoptable.retain(|p| inside(&p.id));
    plan.scope = Some(scope.into_iter().collect());
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aio_engine::{Action, Change, Kind};

    fn id(name: &str) -> ResourceId {
        ResourceId::new(&Kind::new("link"), name)
    }

    fn create(r: &Resource) -> Change {
        Change {
            id: r.id.clone(),
            provider: r.provider.clone(),
            action: Action::Create,
            before: None,
            after: Some(r.attrs.clone()),
            deps: r.deps.clone(),
            detail: None,
        }
    }

    #[test]
    fn a_target_comes_with_what_it_needs_and_nothing_else() {
        let desired = vec![
            Resource::new(id("dummy1"), "netlink"),
            Resource::new(id("veth-br"), "netlink").after(id("dummy1")),
            Resource::new(id("other"), "netlink"),
        ];
        let plan = Plan {
            changes: desired.iter().map(create).collect(),
            ..Plan::default()
        };
        let limited = limit(plan.clone(), &[id("veth-br")], &desired, false).unwrap();
        let ids: Vec<String> = limited.changes.iter().map(|c| c.id.to_string()).collect();
        assert_eq!(ids, ["link/dummy1", "link/veth-br"]);
        assert!(limit(plan.clone(), &[id("nope")], &desired, false).is_err());
        assert_eq!(limit(plan.clone(), &[], &desired, false).unwrap(), plan);
    }

    #[test]
    fn destroying_a_target_takes_what_needs_it() {
        let desired = [
            Resource::new(id("dummy1"), "netlink"),
            Resource::new(id("veth-br"), "netlink").after(id("dummy1")),
            Resource::new(id("other"), "netlink"),
        ];
        let plan = Plan {
            changes: desired
                .iter()
                .map(|r| Change {
                    action: Action::Delete,
                    ..create(r)
                })
                .collect(),
            ..Plan::default()
        };
        let limited = limit(plan, &[id("dummy1")], &[], true).unwrap();
        let ids: Vec<String> = limited.changes.iter().map(|c| c.id.to_string()).collect();
        assert_eq!(ids, ["link/dummy1", "link/veth-br"]);
    }
}
