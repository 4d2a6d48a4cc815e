//! Whether an installed version meets a pip requirement such as
//! `kolla-ansible>=20,<21`: enough of PEP 440 for release numbers, so a venv
//! that already has a fitting kolla-ansible is not handed to pip again.
//! Anything it cannot read counts as not met (pip then decides).

use std::cmp::Ordering;

/// Whether `version` (e.g. `20.6.0`) meets every clause of `requirement`.
pub fn satisfied(requirement: &str, version: &str) -> bool {
    let Some(start) = requirement.find(['<', '>', '=', '!']) else {
        return false;
    };
    let Some(have) = release(version) else {
        return false;
    };
    requirement[start..].split(',').all(|clause| {
        let clause = clause.trim();
        let split = clause
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(clause.len());
        let (op, want) = clause.split_at(split);
        let Some(want) = release(want) else {
            return false;
        };
        let order = compare(&have, &want);
        match op.trim() {
            ">=" => order != Ordering::Less,
            ">" => order == Ordering::Greater,
            "<=" => order != Ordering::Greater,
            "<" => order == Ordering::Less,
            "==" => order == Ordering::Equal,
            "!=" => order != Ordering::Equal,
            _ => false,
        }
    })
}

/// `20.6.0` as numbers; `None` for pre-releases and anything else unusual.
fn release(v: &str) -> Option<Vec<u64>> {
    v.trim().split('.').map(|part| part.parse().ok()).collect()
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
        assert!(
            !satisfied("kolla-ansible", "20.6.0"),
            "no clause: let pip decide"
        );
        assert!(
            !satisfied("kolla-ansible>=20", "20.1.0rc1"),
            "pre-releases: let pip decide"
        );
    }
}
