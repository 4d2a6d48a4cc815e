//! Whether an installed version meets a pip requirement such as
//! `kolla-ansible>=20,<21`: enough of PEP 440 for release numbers, so a venv
//! that already has a fitting kolla-ansible is not handed to pip again.
//! An installed development or pre-release (`20.3.1.dev45`, what a
//! `pip install git+...@stable/2025.1` leaves) counts as just before its
//! release, as pip counts a pre-release that is already installed.
//! Anything it cannot read counts as not met (pip then decides).

use std::cmp::Ordering;

/// Whether `version` (e.g. `20.6.0`) meets every clause of `requirement`.
pub fn satisfied(requirement: &str, version: &str) -> bool {
    let Some(start) = requirement.find(['<', '>', '=', '!', '~']) else {
        return false;
    };
    let Some(have) = Version::parse(version) else {
        return false;
    };
    requirement[start..].split(',').all(|clause| {
        let clause = clause.trim();
        let split = clause
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(clause.len());
        let (op, want) = clause.split_at(split);
        let Some(want) = Version::parse(want) else {
            return false;
        };
        let order = have.cmp(&want);
        match op.trim() {
            ">=" => order != Ordering::Less,
            ">" => order == Ordering::Greater,
            "<=" => order != Ordering::Greater,
            "<" => order == Ordering::Less && !have.pre_of(&want),
            "==" => order == Ordering::Equal,
            "!=" => order != Ordering::Equal,
            // `~=20.1`: `>=20.1` and `==20.*`.
            "~=" if want.release.len() >= 2 => {
                let prefix = &want.release[..want.release.len() - 1];
                order != Ordering::Less
                    && prefix
                        .iter()
                        .enumerate()
                        .all(|(i, n)| have.release.get(i).copied().unwrap_or(0) == *n)
            }
            _ => false,
        }
    })
}

/// A release number and where it stands around its release.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version {
    release: Vec<u64>,
    /// Before the release (`.dev`, `a`, `b`, `rc`), the release, after (`.post`).
    phase: Phase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Pre,
    Final,
    Post,
}

impl Version {
    /// `20.6.0`, `20.3.1.dev45`, `20.1.0rc1`, `20.0.0.post2`, `20.6.0+local`;
    /// `None` for anything else.
    fn parse(v: &str) -> Option<Version> {
        let v = v.trim();
        let v = v.split_once('+').map_or(v, |(public, _)| public);
        let v = v.strip_prefix('v').unwrap_or(v);
        let end = v
            .char_indices()
            .find(|&(i, c)| {
                !(c.is_ascii_digit()
                    || (c == '.' && v[i + 1..].starts_with(|d: char| d.is_ascii_digit())))
            })
            .map_or(v.len(), |(i, _)| i);
        let (numbers, rest) = v.split_at(end);
        let release = numbers
            .split('.')
            .map(|part| part.parse().ok())
            .collect::<Option<Vec<u64>>>()?;
        let rest = rest
            .trim_start_matches(['.', '-', '_'])
            .to_ascii_lowercase();
        let suffix_ok = |word: &str| {
            rest.strip_prefix(word).is_some_and(|n| {
                n.trim_start_matches('.')
                    .chars()
                    .all(|c| c.is_ascii_digit())
            })
        };
        let phase = if rest.is_empty() {
            Phase::Final
        } else if [
            "dev", "rc", "a", "b", "alpha", "beta", "c", "pre", "preview",
        ]
        .iter()
        .any(|w| suffix_ok(w))
        {
            Phase::Pre
        } else if ["post", "rev", "r"].iter().any(|w| suffix_ok(w)) {
            Phase::Post
        } else {
            return None;
        };
        Some(Version { release, phase })
    }

    /// Whether this is a pre-release of `other`'s release (`21.0.0rc1` of
    /// `21`), which `<21` excludes.
    fn pre_of(&self, other: &Version) -> bool {
        self.phase == Phase::Pre && compare(&self.release, &other.release) == Ordering::Equal
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        compare(&self.release, &other.release).then(self.phase.cmp(&other.phase))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Release numbers compare with missing parts as zeros: 20 == 20.0.0.
fn compare(a: &[u64], b: &[u64]) -> Ordering {
    let len = a.len().max(b.len());
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    (0..len)
        .map(|i| at(a, i).cmp(&at(b, i)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_ranges() {
        assert!(satisfied("kolla-ansible>=20,<21", "20.6.0"));
        assert!(!satisfied("kolla-ansible>=20,<21", "21.0.0"));
        assert!(!satisfied("kolla-ansible>=20,<21", "19.4.1"));
        assert!(satisfied("kolla-ansible==20.6.0", "20.6"));
        assert!(satisfied("kolla-ansible~=20.1", "20.6.0"));
        assert!(!satisfied("kolla-ansible~=20.1", "21.0.0"));
        assert!(
            !satisfied("kolla-ansible", "20.6.0"),
            "no clause: let pip decide"
        );
        assert!(!satisfied("kolla-ansible>=20", "garbage"));
    }

    #[test]
    fn an_installed_development_release_counts_just_before_its_release() {
        // What `pip install git+https://opendev.org/openstack/kolla-ansible@stable/2025.1` leaves.
        assert!(satisfied("kolla-ansible>=20,<21", "20.3.1.dev45"));
        assert!(satisfied("kolla-ansible>=20,<21", "20.1.0rc1"));
        assert!(!satisfied("kolla-ansible>=20.3.1", "20.3.1.dev45"));
        assert!(!satisfied("kolla-ansible>=20,<21", "21.0.0rc1"));
        assert!(satisfied("kolla-ansible>=20,<21", "20.0.0.post2"));
        assert!(satisfied("kolla-ansible>=20,<21", "20.6.0+local.1"));
    }
}
