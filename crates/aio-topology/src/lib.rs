//! The `topology.toml` format, version 1: parse, validate, substitute.
//!
//! This crate is pure: it reads text and answers with a [`Topology`] or with
//! [`Diagnostics`] that point at `FILE:LINE:COL`, say what is wrong and what
//! would be right. Checks that need the live system (which NIC `uplink =
//! "auto"` means, its address) take [`Facts`] through [`Topology::check_facts`].
//! [`json_schema`] describes the format for editors, from the parser's types.
//!
//! ```
//! let t = aio_topology::parse_str("t.toml", "version = 1\n[interfaces.br0]\ntype = \"bridge\"\n").unwrap();
//! assert_eq!(t.interfaces["br0"].kind, aio_topology::InterfaceKind::Bridge);
//! ```

mod diag;
mod external;
mod locate;
mod model;
mod parse;
mod plumbing;
mod raw;
mod references;
mod rehearsal;
mod schema;
pub mod secret;
mod subst;
mod suggest;
mod uplink;
mod validate;
mod vocabulary;

use std::path::{Path, PathBuf};

pub use diag::{Diagnostic, Diagnostics, Source, Span};
pub use external::{ExternalBridge, NoExternalBridge, derived_pool};
pub use locate::value_span;
pub use model::*;
pub use plumbing::PortOnBridge;
pub use rehearsal::{FILE_ONLY_ACTIONS, sandbox_kolla_dir};
pub use schema::json_schema;
pub use subst::{Facts, MissingFact, Protected, Template, VARIABLES};
pub use validate::physnet::{MtuSource, PHYSNET, PhysnetMtu};
pub use vocabulary::SUPPORTED_VERSIONS;

/// Why a topology file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {0}")]
    Read(aio_fs::FsError),
    #[error("{0}")]
    Invalid(#[from] Diagnostics),
}

/// The largest topology file aio reads: topologies are small text (10 000
/// bridges, veth pairs and addresses are 1.5 MB).
pub const MAX_FILE_BYTES: usize = 4 << 20;

/// Reads and validates a topology file.
pub fn load(path: &Path) -> Result<Topology, LoadError> {
    let bound = aio_fs::Bound::operators(MAX_FILE_BYTES as u64);
    let bytes = match aio_fs::read_bounded(path, bound) {
        Ok(bytes) => bytes,
        Err(aio_fs::FsError::TooLarge { .. }) => {
            let d = Diagnostic::new(
                0..0,
                format!("the file is larger than {} KiB", MAX_FILE_BYTES / 1024),
            )
            .help("a topology is a short text file: check that -f names the right file");
            return Err(Diagnostics::single(&Source::new(path, ""), d).into());
        }
        Err(source) => return Err(LoadError::Read(source)),
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(parse_str(path, text)?),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let d = Diagnostic::new(valid..valid, "the file is not UTF-8 text")
                .help("a topology is TOML, which is UTF-8: check that -f names the right file");
            Err(Diagnostics::single(&Source::new(path, text), d).into())
        }
    }
}

/// Validates topology text; `path` is only used in messages.
pub fn parse_str(
    path: impl Into<PathBuf>,
    text: impl Into<std::sync::Arc<str>>,
) -> Result<Topology, Diagnostics> {
    let source = Source::new(path, text);
    let (raw, mut items) = parse::parse_all(&source);
    // What is left once the structural errors are out is checked too: one
    // run shows every error of the file.
    let checked = raw.map(|raw| validate::validate(&source, raw));
    match checked {
        Some(Ok(topology)) if items.is_empty() => return Ok(topology),
        Some(Err(more)) => items.extend(more.items),
        _ => {}
    }
    items.sort_by_key(|d| d.span.start);
    Err(Diagnostics {
        file: source,
        items,
    })
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

    /// Facts from the file alone, with placeholders for what only the live
    /// system tells: an `auto` uplink is named `${uplink}`, unknown
    /// addresses are `0.0.0.0`.
    pub fn placeholder_facts(&self) -> Facts {
        let stated = self.static_facts();
        let unknown = std::net::Ipv4Addr::UNSPECIFIED;
        Facts {
            uplink: Some(stated.uplink.unwrap_or_else(|| "${uplink}".into())),
            uplink_address: Some(unknown),
            vip: Some(stated.vip.unwrap_or(unknown)),
            ..stated
        }
    }

    /// The uplink rules, once the live system has filled in `facts`.
    pub fn check_facts(&self, facts: &Facts) -> Result<(), Diagnostics> {
        let mut items = uplink::check(self, facts);
        items.extend(references::check(self, facts));
        items.extend(validate::nat::twice(self, facts));
        items.sort_by_key(|d| d.span.start);
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
