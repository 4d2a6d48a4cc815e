//! aio's mark on the links it makes: the link's alias (`IFLA_IFALIAS`,
//! what `ip link show` prints as `alias`) set to `aio:TOKEN`, a token drawn
//! for that one link when aio creates or adopts it.
//!
//! A link's name and ifindex do not prove that it is the one aio made: a
//! link made again under the same name can be given the same index (`ip
//! link add NAME index N`), and after a reboot indexes start low again, so
//! another tool's link can get the index aio's had. The mark is part of
//! the link's identity (see [`identity`]), which state.json records: a
//! link without aio's mark, or with another token, is not the one aio made,
//! so it is released, never deleted or changed as aio's.
//!
//! The kernel ignores an alias in the request that creates a link, so the
//! mark is set by the next request, right after. A link that has no alias
//! of aio's, or whose alias someone changed, is `unmarked`.

use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

use aio_engine::Identity;

/// What every mark starts with.
pub const PREFIX: &str = "aio:";

/// Marks drawn by this process so far: no two are drawn from the same input.
static DRAWN: AtomicU64 = AtomicU64::new(0);

/// A fresh mark, `aio:` and 16 hex digits: 64 bits from a hasher keyed by
/// the operating system's randomness, over a count, the time and the pid.
pub fn fresh() -> String {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(DRAWN.fetch_add(1, Ordering::Relaxed));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(now);
    hasher.write_u32(std::process::id());
    format!("{PREFIX}{:016x}", hasher.finish())
}

/// The mark in a link's alias, if the alias is one.
pub fn of(alias: Option<&str>) -> Option<&str> {
    alias.filter(|a| a.starts_with(PREFIX) && a.len() > PREFIX.len())
}

/// A link's identity: its kind, its ifindex and its mark, as in
/// `bridge#4 aio:1f0c5e9a7b3d2c48`, or `bridge#4 unmarked` for a link
/// without aio's mark (a NIC, another tool's link). State files written
/// before links were marked hold `bridge#4`, which no link matches now.
pub fn identity(kind: Option<&str>, index: u32, alias: Option<&str>) -> Identity {
    let kind = kind.unwrap_or("device");
    Identity(match of(alias) {
        Some(mark) => format!("{kind}#{index} {mark}"),
        None => format!("{kind}#{index} unmarked"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_fresh_and_read_back() {
        let (a, b) = (fresh(), fresh());
        assert_ne!(a, b);
        assert_eq!(a.len(), PREFIX.len() + 16);
        assert_eq!(of(Some(&a)), Some(a.as_str()));
        assert_eq!(of(Some("uplink bridge")), None);
        assert_eq!(of(Some(PREFIX)), None);
        assert_eq!(of(None), None);
    }

    #[test]
    fn the_same_name_and_index_without_the_mark_is_another_identity() {
        let mark = fresh();
        let ours = identity(Some("bridge"), 4, Some(&mark));
        assert_eq!(ours.0, format!("bridge#4 {mark}"));
        for other in [
            identity(Some("bridge"), 4, None),
            identity(Some("bridge"), 4, Some("a label")),
            identity(Some("bridge"), 4, Some(&fresh())),
            Identity("bridge#4".into()),
        ] {
            assert_ne!(ours, other);
        }
        assert_eq!(identity(None, 2, None).0, "device#2 unmarked");
    }
}
