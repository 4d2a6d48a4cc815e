//! Every topology in the bad-input corpus is rejected by `aio plan --netns`:
//! exit 1, `FILE:LINE` within one line of its `# line:` header (exactly
//! `FILE:LINE:COL` when it also has a `# column:` header), the words of its
//! `# mentions:` header, no panic, and nothing changed in the namespace.
//! New files in the corpus are picked up as they come.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Sandbox, files, root, stderr};
use std::path::{Path, PathBuf};

/// The public corpus (or its copy), then the project's own hostile inputs
/// (`tests/hostile-inputs/`, one per rule class beyond the public sample).
fn corpus() -> Vec<PathBuf> {
    let root = root();
    let shared = root.join("../shared/bad-inputs");
    let public = if shared.is_dir() {
        shared
    } else {
        root.join("tests/bad-inputs")
    };
    [public, root.join("tests/hostile-inputs")]
        .iter()
        .flat_map(|dir| files(dir))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect()
}

fn header<'a>(text: &'a str, key: &str) -> &'a str {
    optional_header(text, key).unwrap_or_else(|| panic!("no `# {key}: ` header"))
}

fn optional_header<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let prefix = format!("# {key}: ");
    text.lines().find_map(|l| l.strip_prefix(&prefix))
}

#[test]
fn every_bad_input_is_rejected_with_a_located_error_and_changes_nothing() {
    let sb = Sandbox::new();
    let files = corpus();
    assert!(files.len() >= 65, "the corpus has {} files", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let before = sb.everything();
        let out = sb.aio("plan", path, &[]);
        let stderr = stderr(&out);
        let shown = path.display().to_string();
        let mut problems = Vec::new();
        if out.status.code() != Some(1) {
            problems.push(format!("exit {:?}", out.status.code()));
        }
        if stderr.contains("panicked") {
            problems.push("panicked".into());
        }
        let mention = header(&text, "mentions");
        if !stderr.contains(mention) {
            problems.push(format!("no `{mention}`"));
        }
        let line = header(&text, "line").parse::<usize>();
        let column = optional_header(&text, "column").map(|c| c.parse::<usize>().unwrap());
        if let (Ok(line), Some(column)) = (&line, column) {
            // A `# column:` header asks for the exact place.
            if !stderr.contains(&format!("{shown}:{line}:{column}:")) {
                problems.push(format!("not located at {shown}:{line}:{column}"));
            }
        } else if let Ok(line) = line {
            let located = [line - 1, line, line + 1]
                .iter()
                .any(|l| stderr.contains(&format!("{shown}:{l}:")));
            if !located {
                problems.push(format!("not located at {shown}:{line}"));
            }
        }
        let after = sb.everything();
        if after != before {
            let changed = after.lines().filter(|l| !before.lines().any(|b| b == *l));
            problems.push(format!(
                "the namespace changed: {}",
                changed.collect::<Vec<_>>().join(" | ")
            ));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {}\n{stderr}",
                path.display(),
                problems.join(", ")
            ));
        }
    }
    assert!(
        !Path::new("/tmp/aio-bad-kolla").exists(),
        "a rejected topology wrote its kolla config_dir"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
