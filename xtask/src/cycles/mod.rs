//! `cargo xtask cycles`: no two files of a crate import each other in a loop.
//!
//! For each library and binary of the workspace, a graph of its files: an
//! arrow from a file to another when the first imports from the second
//! (`use crate::..`, `use super::..`, a private `use` of a child module)
//! or names a path into it in its code (`crate::x::Y`, `super::f()`, also
//! inside macro calls). A path is followed through `pub use` re-exports to
//! the file that defines the item, so `lib.rs` re-exporting `Error` from
//! `error.rs` is no arrow to `lib.rs`. `mod x;` itself is no arrow, and
//! `#[cfg(test)]` modules and `tests/` are left out. Each set of files
//! that reach each other (Tarjan's strongly connected components) is a
//! loop, printed with the paths that make its arrows.

mod refs;
mod resolve;
mod scc;
mod tree;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use tree::Crate;

/// Files of one crate that import each other in a loop.
#[derive(Debug, PartialEq, Eq)]
pub struct Loop {
    /// Its files, in the order of their paths.
    pub files: Vec<PathBuf>,
    /// Each arrow inside the loop, with the first path that makes it.
    pub arrows: Vec<(PathBuf, PathBuf, String)>,
}

/// The loops of the crate whose root file is `root`, its files read by `read`.
pub fn loops(
    root: &Path,
    read: &dyn Fn(&Path) -> Result<String, String>,
) -> Result<Vec<Loop>, String> {
    let krate = Crate::load(root, read)?;
    let mut edges = vec![BTreeSet::new(); krate.files.len()];
    let mut why: BTreeMap<(usize, usize), String> = BTreeMap::new();
    for r in &krate.references {
        let from = krate.modules[r.module].file;
        let Some(to) = resolve::file_of(&krate, r.module, &r.path) else {
            continue;
        };
        if to != from {
            edges[from].insert(to);
            why.entry((from, to)).or_insert_with(|| r.path.join("::"));
        }
    }
    Ok(scc::loops(&edges)
        .into_iter()
        .map(|files| Loop {
            arrows: why
                .iter()
                .filter(|((a, b), _)| files.contains(a) && files.contains(b))
                .map(|((a, b), path)| {
                    (
                        krate.files[*a].clone(),
                        krate.files[*b].clone(),
                        path.clone(),
                    )
                })
                .collect(),
            files: {
                let mut paths: Vec<PathBuf> =
                    files.iter().map(|f| krate.files[*f].clone()).collect();
                paths.sort();
                paths
            },
        })
        .collect())
}

/// Every library and binary of the workspace checked; an error names the loops.
pub fn run() -> Result<(), String> {
    let root = crate::shell::root();
    let (mut found, mut unread) = (0, 0);
    for (name, target) in targets()? {
        let read =
            |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
        let loops = match loops(&target, &read) {
            Ok(loops) => loops,
            Err(e) => {
                unread += 1;
                println!("{name}: cannot be read: {e}");
                continue;
            }
        };
        let shown = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
        if loops.is_empty() {
            println!("{name} ({}): no loop", shown(&target));
        }
        for l in &loops {
            found += 1;
            let files: Vec<String> = l.files.iter().map(|f| shown(f)).collect();
            println!(
                "{name}: {} files import each other: {}",
                files.len(),
                files.join(", ")
            );
            for (from, to, path) in &l.arrows {
                println!("  {} -> {} ({path})", shown(from), shown(to));
            }
        }
    }
    match (found, unread) {
        (0, 0) => Ok(()),
        (n, 0) => Err(format!("{n} import loop(s) between files of a crate")),
        (n, u) => Err(format!(
            "{n} import loop(s) between files of a crate; {u} crate(s) could not be read"
        )),
    }
}

/// `(package, root file)` of each library and binary of the workspace.
fn targets() -> Result<Vec<(String, PathBuf)>, String> {
    let metadata = crate::shell::metadata()?;
    let mut found = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let name = package["name"].as_str().unwrap_or_default();
        for target in package["targets"].as_array().into_iter().flatten() {
            let kinds = target["kind"].as_array().into_iter().flatten();
            let code = kinds
                .filter_map(|k| k.as_str())
                .any(|k| matches!(k, "lib" | "bin" | "proc-macro" | "rlib" | "cdylib"));
            if let (true, Some(src)) = (code, target["src_path"].as_str()) {
                found.push((name.to_string(), PathBuf::from(src)));
            }
        }
    }
    found.sort();
    Ok(found)
}
