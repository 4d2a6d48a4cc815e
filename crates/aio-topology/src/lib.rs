//! The `topology.toml` format, version 1: parse, validate, substitute.
//!
//! This crate is pure: it reads text and answers with a [`Topology`] or with
//! [`Diagnostics`] that point at `FILE:LINE:COL`, say what is wrong and what
//! would be right. Checks that need the live system (which NIC `uplink =
//! "auto"` means, its address) take [`Facts`] through [`Topology::check_facts`].
//!
//! ```
//! let t = aio_topology::parse_str("t.toml", "version = 1\n[interfaces.br0]\ntype = \"bridge\"\n").unwrap();
//! assert_eq!(t.interfaces["br0"].kind, aio_topology::InterfaceKind::Bridge);
//! ```

mod diag;
mod model;
mod parse;
mod raw;
mod subst;
mod uplink;
mod validate;

use std::path::{Path, PathBuf};

pub use diag::{Diagnostic, Diagnostics, Source, Span};
pub use model::*;
pub use subst::{Facts, MissingFact, Template, VARIABLES};
pub use validate::SUPPORTED_VERSIONS;

/// Why a topology file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(#[from] Diagnostics),
}

/// Reads and validates a topology file.
pub fn load(path: &Path) -> Result<Topology, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(parse_str(path, text)?)
}

/// Validates topology text; `path` is only used in messages.
pub fn parse_str(
    path: impl Into<PathBuf>,
    text: impl Into<std::sync::Arc<str>>,
) -> Result<Topology, Diagnostics> {
    let source = Source::new(path, text);
    let raw = parse::parse(&source).map_err(|d| Diagnostics::single(&source, d))?;
    validate::validate(&source, raw)
}

impl Topology {
    /// What the file itself says about the facts: a named uplink, a fixed VIP.
    pub fn static_facts(&self) -> Facts {
        Facts {
            uplink: match &self.host.uplink.value {
                Uplink::Named(n) => Some(n.clone()),
                Uplink::Auto => None,
            },
            vip: match self.kolla.as_ref().map(|k| &k.vip.value) {
                Some(Vip::Address(a)) => Some(*a),
                _ => None,
            },
            ..Facts::default()
        }
    }

    /// The uplink rules, once the live system has filled in `facts`.
    pub fn check_facts(&self, facts: &Facts) -> Result<(), Diagnostics> {
        let items = uplink::check(self, facts);
        if items.is_empty() {
            Ok(())
        } else {
            Err(Diagnostics {
                file: self.source.clone(),
                items,
            })
        }
    }
}
