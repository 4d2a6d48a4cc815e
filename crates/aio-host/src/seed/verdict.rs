//! Why a boot unit is not taken for the old installer's.

use std::fmt;
use std::path::PathBuf;

use super::declared::Unaccounted;
use super::in_root::ReadRefusal;
use super::unit_file::UnitShape;

/// Why a unit is not taken for the installer's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotTheInstallers {
    /// The unit file or a script could not be read.
    Unreadable { path: PathBuf, why: ReadRefusal },
    /// The unit runs something other than scripts.
    Shape(UnitShape),
    /// Drop-ins in this directory change the unit.
    DropIns(PathBuf),
    /// A line of a script that the topology does not account for.
    Unaccounted {
        script: PathBuf,
        line: usize,
        text: String,
        why: Unaccounted,
    },
    /// A script with no command that does something.
    DoesNothing(PathBuf),
}

impl fmt::Display for NotTheInstallers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotTheInstallers::Unreadable { path, why } => {
                write!(f, "{} is not read: {why}", path.display())
            }
            NotTheInstallers::Shape(shape) => write!(f, "{shape}"),
            NotTheInstallers::DropIns(dir) => {
                write!(f, "drop-ins in {} change it", dir.display())
            }
            NotTheInstallers::Unaccounted {
                script,
                line,
                text,
                why,
            } => write!(f, "{}:{line}: `{text}`: {why}", script.display()),
            NotTheInstallers::DoesNothing(script) => {
                write!(f, "{} runs no command aio replaces", script.display())
            }
        }
    }
}
