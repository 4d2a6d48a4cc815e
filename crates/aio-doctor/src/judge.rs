//! Hops judged from aio's own observation: the statuses a plan gives each
//! declared resource (links, addresses, NAT, sysctls, OVS ports, Neutron's
//! objects), so doctor and `aio plan` never disagree about a resource.

use aio_engine::{ResourceId, ResourceStatus, Status};

use crate::report::Hop;

/// The statuses of one plan, with what a fix needs: the command that
/// applies the topology and where each resource is declared.
pub struct Judge<'a> {
    pub statuses: &'a [ResourceStatus],
    /// `aio apply -f FILE` as the operator runs it.
    pub apply: String,
    /// `FILE:LINE:COL` of a resource's declaration.
    pub locate: &'a dyn Fn(&ResourceId) -> Option<String>,
    /// The located lines of each conflict, by resource.
    pub conflicts: &'a dyn Fn(&ResourceId) -> Vec<String>,
}

impl Judge<'_> {
    /// The statuses of the resources `wanted` picks, in the plan's order.
    fn picked(&self, wanted: &dyn Fn(&ResourceId) -> bool) -> Vec<&ResourceStatus> {
        self.statuses
            .iter()
            .filter(|s| s.status != Status::Orphaned && wanted(&s.id))
            .collect()
    }

    /// The hop `name` (meant as `expected`), judged by the resources
    /// `wanted` picks: it holds when each is converged; `None` when the
    /// topology declares none of them.
    pub fn hop(
        &self,
        name: &str,
        expected: &str,
        wanted: &dyn Fn(&ResourceId) -> bool,
    ) -> Option<Hop> {
        let picked = self.picked(wanted);
        if picked.is_empty() {
            return None;
        }
        // A broken resource decides the hop before one that could not be read.
        let judged: Vec<Hop> = picked
            .iter()
            .filter_map(|s| self.judge(name, expected, s))
            .collect();
        let broken = judged
            .iter()
            .position(|h| h.verdict == crate::Verdict::Broken);
        let first = broken.or((!judged.is_empty()).then_some(0));
        Some(match first {
            Some(at) => judged.into_iter().nth(at)?,
            None => Hop::holds(name, expected),
        })
    }

    /// `None` when `s` is converged.
    fn judge(&self, name: &str, expected: &str, s: &ResourceStatus) -> Option<Hop> {
        let at = (self.locate)(&s.id)
            .map(|l| format!(" ({} is declared at {l})", s.id))
            .unwrap_or_default();
        let apply = format!("`{}`{at}", self.apply);
        let hop = match s.status {
            Status::Converged | Status::Orphaned => return None,
            Status::Missing => {
                Hop::broken(name, expected, format!("{} does not exist", s.id), apply)
            }
            Status::Drifted => Hop::broken(name, expected, differences(s), apply),
            Status::Waiting => {
                let why = s
                    .reason
                    .clone()
                    .unwrap_or_else(|| "for what it needs".into());
                let fix = format!("make what it waits for, then `{}`", self.apply);
                Hop::broken(name, expected, format!("{} waits: {why}", s.id), fix)
            }
            Status::Unavailable => {
                let why = s.reason.clone().unwrap_or_default();
                Hop::unchecked(name, expected, format!("{} could not be read: {why}", s.id))
            }
            Status::Conflict => {
                let lines = (self.conflicts)(&s.id);
                let fix = match lines.is_empty() {
                    true => "make the object and the topology agree".to_string(),
                    false => format!("make them agree: {}", lines.join("; ")),
                };
                Hop::broken(name, expected, differences(s), fix)
            }
        };
        Some(hop)
    }
}

/// `master none instead of dummy1, mtu 1500 instead of 9000`.
fn differences(s: &ResourceStatus) -> String {
    let each: Vec<String> = s
        .differences
        .iter()
        .map(|d| {
            format!(
                "{} {} instead of {}",
                d.attribute,
                d.live.plain(),
                d.wanted.plain()
            )
        })
        .collect();
    match each.is_empty() {
        true => format!("{} differs from the topology", s.id),
        false => format!("{}: {}", s.id, each.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aio_engine::{Difference, Kind};

    fn status(name: &str, status: Status, differences: Vec<Difference>) -> ResourceStatus {
        ResourceStatus {
            id: ResourceId::new(&Kind::new("link"), name),
            provider: None,
            status,
            live: None,
            wanted: None,
            differences,
            reason: Some("OVSDB did not answer".into()),
            detail: None,
        }
    }

    #[test]
    fn a_drifted_link_is_broken_with_what_differs_and_where_it_is_declared() {
        let statuses = vec![
            status("dummy1", Status::Converged, vec![]),
            status(
                "veth-br",
                Status::Drifted,
                vec![Difference {
                    attribute: "master".into(),
                    live: aio_engine::AttrValue::NULL,
                    wanted: "dummy1".into(),
                }],
            ),
            status("veth-ovs", Status::Unavailable, vec![]),
        ];
        let judge = Judge {
            statuses: &statuses,
            apply: "aio apply -f t.toml".into(),
            locate: &|id| Some(format!("t.toml:3:1 for {id}")),
            conflicts: &|_| Vec::new(),
        };
        let link = |n: &'static str| move |id: &ResourceId| id.name() == n;
        let held = judge.hop("dummy1", "up", &link("dummy1")).unwrap();
        assert_eq!(held.verdict, crate::Verdict::Holds);
        let broken = judge.hop("veth-br", "in dummy1", &link("veth-br")).unwrap();
        assert_eq!(broken.found, "link/veth-br: master none instead of dummy1");
        assert_eq!(
            broken.fix.as_deref(),
            Some("`aio apply -f t.toml` (link/veth-br is declared at t.toml:3:1 for link/veth-br)")
        );
        let unread = judge.hop("veth-ovs", "up", &link("veth-ovs")).unwrap();
        assert_eq!(unread.verdict, crate::Verdict::Unchecked);
        let both = |id: &ResourceId| matches!(id.name(), "veth-ovs" | "veth-br");
        let worst = judge.hop("the pair", "up", &both).unwrap();
        assert_eq!(
            worst.verdict,
            crate::Verdict::Broken,
            "broken wins over unread"
        );
        assert!(judge.hop("nothing", "-", &link("v-lbaas")).is_none());
    }
}
