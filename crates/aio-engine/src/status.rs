//! Where each desired resource stands, read from a plan: converged, drifted,
//! missing, waiting or unavailable; and what aio owns that the topology
//! dropped (orphaned). Pure: the plan already holds what was observed.

use serde::Serialize;

use crate::attr_value::AttrValue;
use crate::attrs::Attrs;
use crate::plan::{Action, Change, Plan};
use crate::resource::{ProviderName, Resource, ResourceId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Exists with every managed attribute as the topology says.
    Converged,
    /// Exists, but some managed attribute differs (an update or a replacement).
    Drifted,
    /// Does not exist.
    Missing,
    /// Must wait for another resource (a bridge Kolla makes); not an error.
    Waiting,
    /// Its provider (or one it depends on) could not observe.
    Unavailable,
    /// aio created it and the topology no longer names it: apply deletes it.
    Orphaned,
    /// Someone else's object aio only checks, disagreeing with the topology.
    Conflict,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Converged,
        Status::Drifted,
        Status::Missing,
        Status::Waiting,
        Status::Unavailable,
        Status::Orphaned,
        Status::Conflict,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Converged => "converged",
            Status::Drifted => "drifted",
            Status::Missing => "missing",
            Status::Waiting => "waiting",
            Status::Unavailable => "unavailable",
            Status::Orphaned => "orphaned",
            Status::Conflict => "conflict",
        }
    }
}

/// One managed attribute that differs on the live system.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    pub attribute: String,
    pub live: AttrValue,
    pub wanted: AttrValue,
}

/// One resource's standing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceStatus {
    pub id: ResourceId,
    /// `None` for an orphan its provider could not observe (the plan does not say).
    pub provider: Option<ProviderName>,
    pub status: Status,
    /// Live values of the managed attributes, when observed: the topology's
    /// own when converged (that is what converged means), the observed ones
    /// when drifted or orphaned.
    pub live: Option<Attrs>,
    /// What the topology says; `None` for an orphan.
    pub wanted: Option<Attrs>,
    /// For a drifted resource, what differs.
    pub differences: Vec<Difference>,
    /// Why it waits or could not be observed.
    pub reason: Option<String>,
    /// The provider's fuller account of the drift (a file's diff).
    pub detail: Option<String>,
}

/// The standing of every resource of `desired` (in its order), then the orphans, by `plan`
/// (made for `desired`).
pub fn statuses(desired: &[Resource], plan: &Plan) -> Vec<ResourceStatus> {
    let mut out: Vec<ResourceStatus> = desired.iter().map(ResourceStatus::converged).collect();
    for c in &plan.changes {
        entry(&mut out, &c.id).changed_by(c);
    }
    for c in &plan.conflicts {
        let s = entry(&mut out, &c.id);
        s.status = Status::Conflict;
        s.differences = c
            .differences
            .iter()
            .map(|d| Difference {
                attribute: d.key.clone(),
                live: d.found.clone(),
                wanted: d.wanted.clone(),
            })
            .collect();
    }
    let pending = [
        (&plan.waiting, Status::Waiting),
        (&plan.unavailable, Status::Unavailable),
    ];
    for (list, status) in pending {
        for p in list {
            let s = entry(&mut out, &p.id);
            s.status = status;
            s.live = None;
            s.reason = Some(p.reason.to_string());
        }
    }
    out
}

/// The standing of `id` in `out`, added as an orphan when the topology
/// does not name it.
fn entry<'a>(out: &'a mut Vec<ResourceStatus>, id: &ResourceId) -> &'a mut ResourceStatus {
    let i = match out.iter().position(|s| s.id == *id) {
        Some(i) => i,
        None => {
            out.push(ResourceStatus::orphan(id));
            out.len() - 1
        }
    };
    &mut out[i]
}

impl ResourceStatus {
    /// `r` as the topology says, until a plan says otherwise.
    fn converged(r: &Resource) -> ResourceStatus {
        ResourceStatus {
            id: r.id.clone(),
            provider: Some(r.provider.clone()),
            status: Status::Converged,
            live: Some(Attrs::clone(&r.attrs)),
            wanted: Some(Attrs::clone(&r.attrs)),
            differences: Vec::new(),
            reason: None,
            detail: None,
        }
    }

    /// What aio owns and the topology does not name.
    fn orphan(id: &ResourceId) -> ResourceStatus {
        ResourceStatus {
            id: id.clone(),
            provider: None,
            status: Status::Orphaned,
            live: None,
            wanted: None,
            differences: Vec::new(),
            reason: None,
            detail: None,
        }
    }

    /// The standing the plan's change `c` of this resource tells.
    fn changed_by(&mut self, c: &Change) {
        self.provider = Some(c.provider.clone());
        self.detail = c.detail.as_ref().map(ToString::to_string);
        match c.action {
            Action::Create => {
                self.status = Status::Missing;
                self.live = None;
            }
            Action::Update | Action::Replace => {
                self.status = Status::Drifted;
                self.live = c.before.clone();
                self.differences = c
                    .differences()
                    .into_iter()
                    .map(|(k, live, wanted)| Difference {
                        attribute: k.to_string(),
                        live: live.clone(),
                        wanted: wanted.clone(),
                    })
                    .collect();
            }
            Action::Adopt => {}
            Action::Delete => {
                self.status = Status::Orphaned;
                self.live = c.before.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Pending, Reason};
    use serde_json::{Value, json};

    fn attrs(v: Value) -> Attrs {
        Attrs::from_value(v).unwrap()
    }

    fn resource(id: &str, a: Value) -> Resource {
        Resource::new(ResourceId::parse(id).unwrap(), "p").with_attrs(attrs(a))
    }

    fn change(id: &str, action: Action, before: Option<Value>, after: Option<Value>) -> Change {
        Change {
            id: ResourceId::parse(id).unwrap(),
            provider: "p".into(),
            action,
            before: before.map(attrs),
            after: after.map(attrs).map(std::sync::Arc::new),
            deps: vec![],
            detail: None,
        }
    }

    /// A plan with a change of each action, one resource waiting and one
    /// unavailable.
    fn plan_of_each_kind() -> Plan {
        Plan {
            changes: vec![
                change(
                    "link/b",
                    Action::Update,
                    Some(json!({"state": "down", "mtu": 1500})),
                    Some(json!({"state": "up", "mtu": 1500})),
                ),
                change("link/c", Action::Create, None, Some(json!({"state": "up"}))),
                change(
                    "link/old",
                    Action::Delete,
                    Some(json!({"state": "up"})),
                    None,
                ),
            ],
            waiting: vec![Pending {
                id: ResourceId::parse("port/d").unwrap(),
                reason: Reason::WaitsFor(ResourceId::parse("bridge/br0").unwrap()),
            }],
            unavailable: vec![Pending {
                id: ResourceId::parse("port/e").unwrap(),
                reason: Reason::Stated("cannot observe p".into()),
            }],
            ..Plan::default()
        }
    }

    #[test]
    fn each_resource_stands_as_the_plan_says() {
        let desired = [
            resource("link/a", json!({"state": "up"})),
            resource("link/b", json!({"state": "up", "mtu": 1500})),
            resource("link/c", json!({"state": "up"})),
            resource("port/d", json!({})),
            resource("port/e", json!({})),
        ];
        let plan = plan_of_each_kind();
        let got = statuses(&desired, &plan);
        let ids: Vec<String> = got.iter().map(|s| s.id.to_string()).collect();
        let by: Vec<(&str, Status)> = ids
            .iter()
            .map(String::as_str)
            .zip(got.iter().map(|s| s.status))
            .collect();
        assert_eq!(
            by,
            [
                ("link/a", Status::Converged),
                ("link/b", Status::Drifted),
                ("link/c", Status::Missing),
                ("port/d", Status::Waiting),
                ("port/e", Status::Unavailable),
                ("link/old", Status::Orphaned),
            ]
        );
        assert_eq!(got[0].live, Some(attrs(json!({"state": "up"}))));
        assert_eq!(
            got[1].differences,
            [Difference {
                attribute: "state".into(),
                live: "down".into(),
                wanted: "up".into(),
            }]
        );
        assert_eq!(got[1].live.as_ref().unwrap()["state"], "down");
        assert_eq!(got[2].live, None);
        assert_eq!(got[3].reason.as_deref(), Some("waits for bridge/br0"));
        assert_eq!(got[5].wanted, None);
    }
}
