use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Loop, loops};

/// The loops of an in-memory crate given as `(path, text)` pairs, `src/lib.rs` its root.
fn loops_of(files: &[(&str, &str)]) -> Vec<Loop> {
    let files: BTreeMap<PathBuf, String> = files
        .iter()
        .map(|(p, t)| (PathBuf::from(p), t.to_string()))
        .collect();
    let read = |p: &Path| {
        files
            .get(p)
            .cloned()
            .ok_or_else(|| format!("{}: no such file", p.display()))
    };
    loops(Path::new("src/lib.rs"), &read).unwrap()
}

fn files(l: &Loop) -> Vec<&str> {
    l.files.iter().map(|f| f.to_str().unwrap()).collect()
}

#[test]
fn two_files_importing_each_other_are_a_loop() {
    let found = loops_of(&[
        ("src/lib.rs", "mod a;\nmod b;\n"),
        ("src/a.rs", "use crate::b::B;\npub struct A(B);\n"),
        (
            "src/b.rs",
            "pub struct B;\npub fn f() -> super::a::A { todo!() }\n",
        ),
    ]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(files(&found[0]), ["src/a.rs", "src/b.rs"]);
    let arrows: Vec<&str> = found[0].arrows.iter().map(|a| a.2.as_str()).collect();
    assert_eq!(arrows, ["crate::b::B", "super::a::A"]);
}

#[test]
fn a_loop_through_a_path_in_a_macro_call_and_a_directory_module() {
    let found = loops_of(&[
        ("src/lib.rs", "mod check;\nmod model;\n"),
        ("src/check/mod.rs", "mod ports;\n"),
        (
            "src/check/ports.rs",
            "pub fn ports() { let _ = vec![crate::model::Port]; }\n",
        ),
        (
            "src/model.rs",
            "pub struct Port;\nfn f() { crate::check::ports::ports() }\n",
        ),
    ]);
    assert_eq!(files(&found[0]), ["src/check/ports.rs", "src/model.rs"]);
}

#[test]
fn a_tree_of_imports_is_no_loop() {
    let found = loops_of(&[
        ("src/lib.rs", "mod a;\nmod b;\nmod c;\npub use a::A;\n"),
        ("src/a.rs", "use crate::b::B;\npub struct A(B);\n"),
        ("src/b.rs", "pub struct B(super::c::C);\n"),
        (
            "src/c.rs",
            "pub struct C;\n#[cfg(test)]\nmod tests { use crate::a::A; }\n",
        ),
    ]);
    assert_eq!(found, []);
}

#[test]
fn a_reexport_leads_to_the_file_that_defines_the_item() {
    // parse.rs names `crate::Error`, which lib.rs only re-exports from
    // error.rs: the loop is error.rs and parse.rs, lib.rs is not in it.
    let reexported = loops_of(&[
        (
            "src/lib.rs",
            "mod error;\nmod parse;\npub use error::Error;\npub fn load() { parse::run(); }\n",
        ),
        (
            "src/error.rs",
            "pub enum Error { Bad(crate::parse::Line) }\n",
        ),
        (
            "src/parse.rs",
            "use crate::Error;\npub struct Line;\npub fn run() -> Option<Error> { None }\n",
        ),
    ]);
    assert_eq!(reexported.len(), 1, "{reexported:?}");
    assert_eq!(files(&reexported[0]), ["src/error.rs", "src/parse.rs"]);
    // The same with `Error` defined in lib.rs is a loop of lib.rs and parse.rs.
    let defined = loops_of(&[
        (
            "src/lib.rs",
            "mod parse;\npub enum Error { Bad }\npub fn load() { parse::run(); }\n",
        ),
        (
            "src/parse.rs",
            "use crate::Error;\npub fn run() -> Option<Error> { None }\n",
        ),
    ]);
    assert_eq!(files(&defined[0]), ["src/lib.rs", "src/parse.rs"]);
}

#[test]
fn a_glob_reexport_in_a_mod_rs_is_followed() {
    // validate/mod.rs calls parse.rs and re-exports errors.rs whole: the
    // loop is errors.rs and parse.rs.
    let found = loops_of(&[
        ("src/lib.rs", "mod validate;\nmod parse;\n"),
        (
            "src/validate/mod.rs",
            "mod errors;\npub use errors::*;\npub fn check() { crate::parse::read(); }\n",
        ),
        (
            "src/validate/errors.rs",
            "pub struct Problem(crate::parse::Line);\n",
        ),
        (
            "src/parse.rs",
            "use crate::validate::Problem;\npub struct Line;\npub fn read() -> Option<Problem> { None }\n",
        ),
    ]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(files(&found[0]), ["src/parse.rs", "src/validate/errors.rs"]);
}
