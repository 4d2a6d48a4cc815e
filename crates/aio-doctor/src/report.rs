//! What doctor found, as data: paths of hops, each holding, broken or not
//! checked, with what was expected, what was found and the fix. The
//! caller renders it; [`Report::exit_code`] and [`Report::verdict`] are
//! the command's contract.

use std::time::Duration;

use serde::Serialize;

/// One hop's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Checked, and as the topology means it.
    Holds,
    /// Checked, and not as the topology means it: traffic stops here.
    Broken,
    /// Could not be checked (its source did not answer, or what it needs is missing).
    Unchecked,
}

/// One hop of a path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hop {
    /// What the hop is, e.g. `veth-br in dummy1`.
    pub name: String,
    pub verdict: Verdict,
    pub expected: String,
    pub found: String,
    /// The command or topology line that fixes it (broken or unchecked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// For a traffic probe: how long it took.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "millis")]
    pub took: Option<Duration>,
}

impl Hop {
    pub fn holds(name: impl Into<String>, expected: impl Into<String>) -> Hop {
        let expected = expected.into();
        Hop {
            name: name.into(),
            verdict: Verdict::Holds,
            found: expected.clone(),
            expected,
            fix: None,
            took: None,
        }
    }

    pub fn broken(
        name: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
        fix: impl Into<String>,
    ) -> Hop {
        Hop {
            name: name.into(),
            verdict: Verdict::Broken,
            expected: expected.into(),
            found: found.into(),
            fix: Some(fix.into()),
            took: None,
        }
    }

    pub fn unchecked(
        name: impl Into<String>,
        expected: impl Into<String>,
        why: impl Into<String>,
    ) -> Hop {
        Hop {
            name: name.into(),
            verdict: Verdict::Unchecked,
            expected: expected.into(),
            found: why.into(),
            fix: None,
            took: None,
        }
    }

    pub fn with_fix(mut self, fix: impl Into<String>) -> Hop {
        self.fix = Some(fix.into());
        self
    }

    pub fn took(mut self, took: Duration) -> Hop {
        self.took = Some(took);
        self
    }
}

fn millis<S: serde::Serializer>(took: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match took {
        Some(d) => s.serialize_u128(d.as_millis()),
        None => s.serialize_none(),
    }
}

/// One data path the topology implies, its hops in the order traffic
/// meets them from the host's uplink inwards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathReport {
    pub name: String,
    pub hops: Vec<Hop>,
}

/// Everything doctor found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub paths: Vec<PathReport>,
    /// What doctor did not look at, and why (e.g. no `[neutron]`).
    pub notes: Vec<String>,
    /// The whole run, probes included.
    #[serde(serialize_with = "seconds")]
    pub took: Duration,
}

fn seconds<S: serde::Serializer>(took: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((took.as_secs_f64() * 100.0).round() / 100.0)
}

impl Report {
    /// The first hop with `verdict`, walking the paths in order.
    pub fn first(&self, verdict: Verdict) -> Option<(&PathReport, &Hop)> {
        self.paths
            .iter()
            .flat_map(|p| p.hops.iter().map(move |h| (p, h)))
            .find(|(_, h)| h.verdict == verdict)
    }

    /// 0 when every hop holds, 1 when one is broken, 2 when none is
    /// broken but one could not be checked, or there was no path to walk.
    pub fn exit_code(&self) -> u8 {
        if self.first(Verdict::Broken).is_some() {
            1
        } else if self.paths.is_empty() || self.first(Verdict::Unchecked).is_some() {
            2
        } else {
            0
        }
    }

    /// The verdict in one sentence: the first broken hop and its fix, or
    /// the first that could not be checked and why, or that all hold.
    pub fn verdict(&self) -> String {
        if let Some((path, hop)) = self.first(Verdict::Broken) {
            let fix = hop.fix.as_deref().unwrap_or("see above");
            return format!(
                "First broken hop: {} on {}: found {}, expected {}. Fix: {fix}",
                hop.name, path.name, hop.found, hop.expected
            );
        }
        if let Some((path, hop)) = self.first(Verdict::Unchecked) {
            let fix = hop
                .fix
                .as_deref()
                .map(|f| format!(" Then: {f}"))
                .unwrap_or_default();
            return format!(
                "No hop is broken, but {} on {} could not be checked: {}.{fix}",
                hop.name, path.name, hop.found
            );
        }
        if self.paths.is_empty() {
            let why = self.notes.first().map_or("", String::as_str);
            return format!("No path to walk: {why}.");
        }
        let hops: usize = self.paths.iter().map(|p| p.hops.len()).sum();
        format!(
            "Every hop holds: {} on {}.",
            counted(hops, "hop"),
            counted(self.paths.len(), "path")
        )
    }
}

fn counted(n: usize, what: &str) -> String {
    match n {
        1 => format!("1 {what}"),
        n => format!("{n} {what}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(hops: Vec<Hop>) -> Report {
        Report {
            paths: vec![PathReport {
                name: "the external network".into(),
                hops,
            }],
            notes: Vec::new(),
            took: Duration::ZERO,
        }
    }

    #[test]
    fn the_first_broken_hop_is_named_and_decides_the_exit_code() {
        let r = report(vec![
            Hop::holds("uplink eth0", "up"),
            Hop::unchecked("OVN", "mapped", "OVSDB did not answer"),
            Hop::broken("veth-br", "master dummy1", "no master", "aio apply"),
            Hop::broken("dummy1", "up", "down", "aio apply"),
        ]);
        assert_eq!(r.exit_code(), 1);
        assert_eq!(
            r.verdict(),
            "First broken hop: veth-br on the external network: found no master, expected master dummy1. Fix: aio apply"
        );
    }

    #[test]
    fn a_hop_not_checked_is_exit_2_and_says_why() {
        let r = report(vec![
            Hop::holds("uplink eth0", "up"),
            Hop::unchecked("OVN", "mapped", "OVSDB did not answer"),
        ]);
        assert_eq!(r.exit_code(), 2);
        assert!(
            r.verdict()
                .contains("OVN on the external network could not be checked: OVSDB did not answer")
        );
        let nothing = Report {
            paths: Vec::new(),
            notes: vec!["no outside network to walk".into()],
            took: Duration::ZERO,
        };
        assert_eq!(nothing.exit_code(), 2, "nothing walked is not a pass");
        assert_eq!(
            nothing.verdict(),
            "No path to walk: no outside network to walk."
        );
        let all = report(vec![Hop::holds("uplink eth0", "up")]);
        assert_eq!(all.exit_code(), 0);
        assert_eq!(all.verdict(), "Every hop holds: 1 hop on 1 path.");
    }
}
