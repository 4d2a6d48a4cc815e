//! The fuzz targets' seeds and any crash reproducer (`fuzz/corpus/TARGET/`),
//! run on stable as regression tests: each input loads or is refused, with
//! no panic. `cargo xtask fuzz` runs the targets themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = common::root().join("fuzz/corpus").join(target);
    let out: Vec<(PathBuf, Vec<u8>)> = common::files(&dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    assert!(!out.is_empty(), "no seeds in {}", dir.display());
    out
}

#[test]
fn topology_seeds_load_or_give_located_errors() {
    for (path, bytes) in corpus("topology") {
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        if let Err(d) = aio_topology::parse_str("seed.toml", text) {
            assert!(!d.items.is_empty(), "{}", path.display());
            assert!(d.items.iter().all(|i| i.span.start <= text.len()));
            let _ = d.to_string();
        }
    }
}

#[test]
fn saved_plan_seeds_parse_or_are_refused() {
    let mut parsed = 0;
    for (_, bytes) in corpus("saved_plan") {
        if let Ok(saved) = aio_host::SavedPlan::parse(&bytes) {
            parsed += 1;
            assert!(aio_host::saved::differences(&saved.plan, &saved.plan).is_empty());
            // What the fuzz target renders of it, as a person and as JSON.
            assert!(!aio::render::plan::text(&saved.plan).is_empty());
            assert!(serde_json::to_value(&saved.plan).unwrap().is_object());
        }
    }
    assert!(parsed > 0, "not one seed is a saved plan");
}

#[test]
fn ovsdb_stream_seeds_decode_or_are_refused() {
    for (_, bytes) in corpus("ovsdb_decoder") {
        let mut decoder = aio_ovsdb::Decoder::new();
        let _ = decoder.decode(&bytes);
    }
}
