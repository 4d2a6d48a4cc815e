//! One crate's modules, read from its root file down its `mod x;`
//! declarations: what each module defines, what it imports and which paths
//! its code names. `#[cfg(test)]` items are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::refs::{self, Segments};

/// A name a `use` brings into a module.
#[derive(Debug, Clone)]
pub struct Import {
    /// The name it is known by here; `None` for a glob (`use x::*`).
    pub name: Option<String>,
    /// What it names, from where the `use` is.
    pub path: Segments,
}

/// One module: the file it is in and the names it holds.
#[derive(Debug, Default)]
pub struct Module {
    pub file: usize,
    pub parent: Option<usize>,
    /// Where `mod x;` inside it looks for `x.rs` or `x/mod.rs`.
    dir: PathBuf,
    pub children: BTreeMap<String, usize>,
    /// Names of the items defined in it, modules aside.
    pub items: BTreeSet<String>,
    pub imports: Vec<Import>,
}

/// A path the code of a module names (an import or a path in code).
#[derive(Debug, Clone)]
pub struct Reference {
    pub module: usize,
    pub path: Segments,
}

/// A crate's modules; module 0 is the root.
#[derive(Debug, Default)]
pub struct Crate {
    pub files: Vec<PathBuf>,
    pub modules: Vec<Module>,
    pub references: Vec<Reference>,
}

impl Crate {
    /// The crate whose root file is `root`, its files read by `read`.
    pub fn load(
        root: &Path,
        read: &dyn Fn(&Path) -> Result<String, String>,
    ) -> Result<Crate, String> {
        let mut krate = Crate::default();
        let dir = root.parent().map(Path::to_path_buf).unwrap_or_default();
        krate.load_file(root, dir, None, read)?;
        Ok(krate)
    }

    fn load_file(
        &mut self,
        file: &Path,
        dir: PathBuf,
        parent: Option<usize>,
        read: &dyn Fn(&Path) -> Result<String, String>,
    ) -> Result<usize, String> {
        let text = read(file)?;
        let parsed = syn::parse_file(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        self.files.push(file.to_path_buf());
        let index = self.files.len() - 1;
        self.load_module(index, dir, parent, &parsed.items, read)
    }

    fn load_module(
        &mut self,
        file: usize,
        dir: PathBuf,
        parent: Option<usize>,
        items: &[syn::Item],
        read: &dyn Fn(&Path) -> Result<String, String>,
    ) -> Result<usize, String> {
        self.modules.push(Module {
            file,
            parent,
            dir: dir.clone(),
            ..Module::default()
        });
        let module = self.modules.len() - 1;
        for item in items.iter().filter(|i| !refs::is_test(attrs(i))) {
            match item {
                syn::Item::Mod(m) => {
                    let name = m.ident.to_string();
                    let child = match &m.content {
                        Some((_, inner)) => {
                            self.load_module(file, dir.join(&name), Some(module), inner, read)?
                        }
                        None => {
                            let (path, child_dir) = self.module_file(module, m, &name, read);
                            self.load_file(&path, child_dir, Some(module), read)?
                        }
                    };
                    self.modules[module].children.insert(name, child);
                }
                syn::Item::Use(u) => {
                    // A `pub use` (of any reach) is a passage to the item,
                    // not an import of this file.
                    let reexport = !matches!(u.vis, syn::Visibility::Inherited);
                    for (name, path) in refs::flatten(&u.tree) {
                        if !reexport {
                            self.references.push(Reference {
                                module,
                                path: path.clone(),
                            });
                        }
                        self.modules[module].imports.push(Import { name, path });
                    }
                }
                other => {
                    if let Some(name) = refs::defined_name(other) {
                        self.modules[module].items.insert(name);
                    }
                    for path in refs::paths_in(other) {
                        self.references.push(Reference { module, path });
                    }
                }
            }
        }
        Ok(module)
    }

    /// The file of `mod name;` declared in `module`, and the directory of its children.
    fn module_file(
        &self,
        module: usize,
        m: &syn::ItemMod,
        name: &str,
        read: &dyn Fn(&Path) -> Result<String, String>,
    ) -> (PathBuf, PathBuf) {
        let dir = &self.modules[module].dir;
        if let Some(path) = refs::path_attribute(&m.attrs) {
            let file = self.files[self.modules[module].file]
                .parent()
                .map(|d| d.join(&path))
                .unwrap_or_else(|| PathBuf::from(&path));
            let child_dir = file.with_extension("");
            return (file, child_dir);
        }
        let flat = dir.join(format!("{name}.rs"));
        if read(&flat).is_ok() {
            (flat, dir.join(name))
        } else {
            (dir.join(name).join("mod.rs"), dir.join(name))
        }
    }
}

fn attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}
