//! Masquerade rules that are not aio's. The old installer wrote one per
//! boot: `iptables -t nat -A POSTROUTING -s SOURCE -o OUT -j MASQUERADE`.
//! With iptables-nft it is an nftables rule in `ip nat` (read from `nft -j
//! list ruleset`, `nft.rs`); with iptables-legacy, a line of
//! `iptables-legacy-save -t nat` (`legacy.rs`). Every rule is read whole,
//! with all its matches and target options.
//!
//! A rule is the installer's only when it is exactly that: in iptables'
//! own table and base chain, the declared source and output interface,
//! nothing negated, no other match, no target option. `aio adopt` replaces
//! the installer's rules with aio's own. Any other masquerade rule that
//! names a `[[nat]]` entry's source or interface is shown, never touched.
//!
//! - `nft-rule/FAMILY/TABLE/CHAIN/HANDLE`: an nftables rule;
//! - `iptables-legacy/nat/CHAIN/N`: the Nth rule of a legacy chain.

pub(crate) mod legacy;
mod nft;
pub(crate) mod rule;
pub(crate) mod save;

pub use rule::{ForeignId, ForeignRule, LEGACY_RULE, NFT_RULE, Place};

/// Every masquerade rule outside aio's table, in nftables and, where
/// iptables-legacy is installed, in its `nat` table. Call in the namespace.
pub fn list() -> Result<Vec<ForeignRule>, crate::NatError> {
    let mut out = nft::rules()?;
    out.extend(legacy::rules());
    Ok(out)
}
