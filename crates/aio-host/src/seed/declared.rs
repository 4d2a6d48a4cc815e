//! What a boot script is read against (the topology and its facts), and why
//! one of its lines is not accounted for.

use std::fmt;

use aio_topology::{Facts, Topology};

/// The topology, and the facts that fill its `${uplink}`.
#[derive(Clone, Copy)]
pub(crate) struct Declared<'a> {
    pub topology: &'a Topology,
    pub facts: &'a Facts,
}

/// Why a line is not one the topology accounts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unaccounted {
    /// A `#!` line for something that is not a shell.
    NotShell(String),
    /// Shell syntax beyond words, quotes and variables.
    ShellSyntax,
    /// A command aio does not replace.
    Command(String),
    /// A link the topology does not declare (or declares as another kind).
    Link(String),
    /// A setting the topology does not declare for this link.
    Setting { link: String, setting: String },
    /// An address the topology does not declare on this link.
    Address { link: String, address: String },
    /// A masquerade no `[[nat]]` declares.
    Nat { source: String, out: String },
    /// A variable no uplink lookup set.
    Variable(String),
}

impl fmt::Display for Unaccounted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unaccounted::NotShell(line) => write!(f, "`{line}`: not a shell script"),
            Unaccounted::ShellSyntax => write!(
                f,
                "shell syntax aio does not read (`;`, `|`, `&&`, `$(...)`, redirections...)"
            ),
            Unaccounted::Command(c) => write!(
                f,
                "`{c}` is not one of the commands aio replaces (ip link add/set, ip addr add, iptables MASQUERADE)"
            ),
            Unaccounted::Link(l) => write!(f, "the topology declares no such interface {l}"),
            Unaccounted::Setting { link, setting } => {
                write!(f, "the topology does not declare `{setting}` for {link}")
            }
            Unaccounted::Address { link, address } => {
                write!(f, "the topology declares no address {address} on {link}")
            }
            Unaccounted::Nat { source, out } => {
                write!(
                    f,
                    "no [[nat]] declares a masquerade of {source} out of {out}"
                )
            }
            Unaccounted::Variable(v) => write!(f, "${v} is not set by the uplink lookup"),
        }
    }
}
