//! Which file a path leads to: through child modules, the items a module
//! defines, and the names its `use`s bring (a `pub use` in `lib.rs` or a
//! `mod.rs` is followed to the file that defines the item).

use super::tree::{Crate, Import};

/// Imports are followed this deep at most (a glob may name its own module).
const DEPTH: usize = 16;

/// Where a path ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// A module.
    Module(usize),
    /// An item defined in a module (what follows it are its variants or members).
    Item(usize),
}

impl Found {
    fn module(self) -> usize {
        match self {
            Found::Module(m) | Found::Item(m) => m,
        }
    }
}

/// The file `path`, named in module `from`, leads to; `None` when it leaves
/// the crate or names what is not found (a local variable, a prelude name).
pub fn file_of(krate: &Crate, from: usize, path: &[String]) -> Option<usize> {
    let found = resolve(krate, from, path, 0)?;
    Some(krate.modules[found.module()].file)
}

fn resolve(krate: &Crate, from: usize, path: &[String], depth: usize) -> Option<Found> {
    if depth > DEPTH {
        return None;
    }
    let (first, rest) = path.split_first()?;
    let mut at = match first.as_str() {
        "crate" => Found::Module(0),
        "self" => Found::Module(from),
        "super" => Found::Module(krate.modules[from].parent?),
        name => lookup(krate, from, name, depth)?,
    };
    for (i, segment) in rest.iter().enumerate() {
        let Found::Module(module) = at else {
            return Some(at);
        };
        at = match segment.as_str() {
            "super" if i == 0 || rest[..i].iter().all(|s| s == "super") => {
                Found::Module(krate.modules[module].parent?)
            }
            "self" => Found::Module(module),
            name => lookup(krate, module, name, depth)?,
        };
    }
    Some(at)
}

/// What `name` is in `module`: a child module, an item, or what an import names.
fn lookup(krate: &Crate, module: usize, name: &str, depth: usize) -> Option<Found> {
    let m = &krate.modules[module];
    if let Some(child) = m.children.get(name) {
        return Some(Found::Module(*child));
    }
    if m.items.contains(name) {
        return Some(Found::Item(module));
    }
    let named = |i: &&Import| i.name.as_deref() == Some(name);
    if let Some(import) = m.imports.iter().find(named) {
        return resolve(krate, module, &import.path, depth + 1);
    }
    m.imports
        .iter()
        .filter(|i| i.name.is_none())
        .find_map(
            |glob| match resolve(krate, module, &glob.path, depth + 1)? {
                Found::Module(target) if target != module => lookup(krate, target, name, depth + 1),
                _ => None,
            },
        )
}
