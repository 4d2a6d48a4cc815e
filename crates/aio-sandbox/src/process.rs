//! Live processes as `/proc` shows them, to prove that what a test started
//! is gone.

use std::path::Path;

/// The `stat` line of each live (not zombie) process for which
/// `keep(its /proc dir, its stat fields)` holds. The fields are those after
/// the command name, which may hold spaces: state, ppid, pgrp, ….
pub fn alive(keep: impl Fn(&Path, &[&str]) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let dir = entry.path();
        let Ok(stat) = std::fs::read_to_string(dir.join("stat")) else {
            continue;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.first().is_some_and(|state| *state != "Z") && keep(&dir, &fields) {
            out.push(stat);
        }
    }
    out
}

/// Live processes of process group `pgid`.
pub fn alive_in_group(pgid: i32) -> Vec<String> {
    let pgid = pgid.to_string();
    alive(|_, fields| fields.get(2) == Some(&pgid.as_str()))
}

/// Live processes whose environment holds `entry` (`NAME=VALUE`).
pub fn alive_with_env(entry: &str) -> Vec<String> {
    alive(|dir, _| {
        std::fs::read(dir.join("environ"))
            .is_ok_and(|env| env.split(|b| *b == 0).any(|kv| kv == entry.as_bytes()))
    })
}
