//! What one item says of other modules: the names a `use` brings, the
//! paths its code names (in macro calls too), the name it defines.

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// A path as written, split into its segments (`crate`, `super`, `self` kept).
pub type Segments = Vec<String>;

/// Whether `attrs` hold `#[cfg(test)]` (or `#[cfg(all(test, ..))]`).
pub fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && {
            let text = a
                .meta
                .require_list()
                .map(|l| l.tokens.to_string())
                .unwrap_or_default();
            text == "test" || (text.starts_with("all") && text.contains("test"))
        }
    })
}

/// The file a `#[path = "..."]` attribute names.
pub fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// Each name a `use` tree brings (`None` for a glob) with the path it names.
pub fn flatten(tree: &syn::UseTree) -> Vec<(Option<String>, Segments)> {
    let mut out = Vec::new();
    walk_use(tree, &mut Vec::new(), &mut out);
    out
}

fn walk_use(tree: &syn::UseTree, prefix: &mut Segments, out: &mut Vec<(Option<String>, Segments)>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            walk_use(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) if n.ident == "self" => {
            out.push((prefix.last().cloned(), prefix.clone()));
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            out.push((Some(name.clone()), [prefix.as_slice(), &[name]].concat()));
        }
        syn::UseTree::Rename(r) => {
            let path = if r.ident == "self" {
                prefix.clone()
            } else {
                [prefix.as_slice(), &[r.ident.to_string()]].concat()
            };
            out.push((Some(r.rename.to_string()), path));
        }
        syn::UseTree::Glob(_) => out.push((None, prefix.clone())),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                walk_use(t, prefix, out);
            }
        }
    }
}

/// The name an item defines in its module (modules and imports aside).
pub fn defined_name(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Const(i) => &i.ident,
        syn::Item::Enum(i) => &i.ident,
        syn::Item::Fn(i) => &i.sig.ident,
        syn::Item::Macro(i) => i.ident.as_ref()?,
        syn::Item::Static(i) => &i.ident,
        syn::Item::Struct(i) => &i.ident,
        syn::Item::Trait(i) => &i.ident,
        syn::Item::TraitAlias(i) => &i.ident,
        syn::Item::Type(i) => &i.ident,
        syn::Item::Union(i) => &i.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

/// The paths an item's code names that may lead to another module: those
/// of two segments or more, or starting at `crate`, `super` or `self`,
/// and each name a `use` inside it brings. Test items inside are skipped.
pub fn paths_in(item: &syn::Item) -> Vec<Segments> {
    let mut paths = Paths(Vec::new());
    paths.visit_item(item);
    paths.0
}

struct Paths(Vec<Segments>);

impl<'ast> Visit<'ast> for Paths {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let skip = match item {
            syn::Item::Fn(f) => is_test(&f.attrs),
            syn::Item::Mod(m) => is_test(&m.attrs),
            syn::Item::Impl(i) => is_test(&i.attrs),
            _ => false,
        };
        if !skip {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.0.extend(flatten(&u.tree).into_iter().map(|(_, p)| p));
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_none() {
            let segments: Segments = path.segments.iter().map(|s| s.ident.to_string()).collect();
            if leads_elsewhere(&segments) {
                self.0.push(segments);
            }
        }
        syn::visit::visit_path(self, path);
    }

    /// `pub(crate)` and `pub(super)` name a module but import nothing from it.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        syn::visit::visit_macro(self, mac);
        in_tokens(mac.tokens.clone(), &mut self.0);
    }
}

fn leads_elsewhere(segments: &[String]) -> bool {
    segments.len() > 1
        || segments
            .first()
            .is_some_and(|s| s == "crate" || s == "super" || s == "self")
}

/// Paths `crate::..`, `super::..` and `self::..` in a macro call's tokens.
fn in_tokens(tokens: TokenStream, out: &mut Vec<Segments>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(g) => in_tokens(g.stream(), out),
            TokenTree::Ident(id)
                if ["crate", "super", "self"].contains(&id.to_string().as_str()) =>
            {
                let mut segments = vec![id.to_string()];
                while let (
                    Some(TokenTree::Punct(a)),
                    Some(TokenTree::Punct(b)),
                    Some(TokenTree::Ident(next)),
                ) = (tokens.get(i + 1), tokens.get(i + 2), tokens.get(i + 3))
                {
                    if a.as_char() != ':' || b.as_char() != ':' {
                        break;
                    }
                    segments.push(next.to_string());
                    i += 3;
                }
                if segments.len() > 1 {
                    out.push(segments);
                }
            }
            _ => {}
        }
        i += 1;
    }
}
