//! Kolla's globals as kolla-ansible 20.x reads them (`kolla_ansible/ansible.py`):
//! `-e @CONFIG/globals.yml`, `-e @CONFIG/passwords.yml`, then `-e @FILE` for
//! every readable `CONFIG/globals.d/*.yml|yaml|json`, sorted by path. Ansible
//! replaces a top-level key set twice, so a later file wins.
//!
//! aio writes only `globals.d/aio.yml`. `globals.yml` is the operator's: aio
//! never writes it, except to create a minimal one when there is none
//! (kolla-ansible passes it to Ansible, which refuses a missing file and
//! one that is not a mapping) or to replace one an older aio wrote whole.

use indexmap::IndexMap;
use std::path::{Path, PathBuf};
use yaml_rust2::{Yaml, YamlLoader};

/// aio's globals, relative to the config dir.
pub const AIO_FILE: &str = "globals.d/aio.yml";
/// The operator's globals, relative to the config dir.
pub const BASE_FILE: &str = "globals.yml";

/// The `globals.yml` aio creates when there is none. Kolla's own example
/// keeps a dummy key for the same reason: Ansible refuses extra vars that
/// are not a mapping, and a file of comments is none.
pub const MINIMAL: &str = "\
# Kolla-Ansible reads this file first, then globals.d/*.yml in name order.
# aio keeps the settings of [kolla.globals] in globals.d/aio.yml and never
# writes this file again: settings added here are yours (a key also set
# in globals.d/aio.yml takes aio's value, as Kolla reads that file later).
---
# Dummy variable to allow Ansible to accept this file.
workaround_ansible_issue_8743: yes
";

/// How an older aio began the `globals.yml` it wrote whole.
pub const OLD_HEADER: &str =
    "# Written by aio from [kolla.globals] in topology.toml: aio apply rewrites this file whole.\n";

/// What `globals.yml` is, as the plan compares it.
pub const BASE_PRESENT: &str = "present";

/// `present` (the operator's, or the minimal one), `missing`, or one an
/// older aio wrote whole (replaced by the minimal one).
pub fn base_status(config_dir: &Path) -> String {
    match std::fs::read_to_string(config_dir.join(BASE_FILE)) {
        Ok(text) if text.starts_with(OLD_HEADER) => "written whole by an older aio".into(),
        Ok(_) => BASE_PRESENT.into(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "missing".into(),
        Err(_) => "unreadable".into(),
    }
}

/// Whether aio must (re)write `globals.yml` with [`MINIMAL`].
pub fn base_needs_writing(config_dir: &Path) -> bool {
    let path = config_dir.join(BASE_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => text.starts_with(OLD_HEADER),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

/// The files kolla-ansible passes to Ansible for globals, in its order:
/// `globals.yml` (if it exists), then `globals.d`'s readable YAML and JSON
/// files sorted by path.
pub fn vars_files(config_dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let base = config_dir.join(BASE_FILE);
    if base.is_file() {
        out.push(base);
    }
    let mut extra: Vec<PathBuf> = std::fs::read_dir(config_dir.join("globals.d"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && std::fs::File::open(p).is_ok()
                && p.extension()
                    .is_some_and(|e| e == "yml" || e == "yaml" || e == "json")
        })
        .collect();
    extra.sort();
    out.extend(extra);
    out
}

/// A file's top-level mapping, `None` when it cannot be read or is not one.
pub fn load(path: &Path) -> Option<IndexMap<String, Yaml>> {
    parse(&std::fs::read_to_string(path).ok()?)
}

/// YAML text's top-level mapping, keys as text; `None` when it is not one.
pub fn parse(text: &str) -> Option<IndexMap<String, Yaml>> {
    let doc = YamlLoader::load_from_str(text).ok()?.into_iter().next()?;
    let Yaml::Hash(hash) = doc else {
        return None;
    };
    Some(hash.into_iter().map(|(k, v)| (key_text(&k), v)).collect())
}

fn key_text(key: &Yaml) -> String {
    match key {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        other => show(other),
    }
}

/// A value Kolla will use, and the file that set it last.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub value: Yaml,
    pub from: PathBuf,
}

/// Every top-level global as Kolla sees it now: the files of
/// [`vars_files`] merged in order, later ones replacing earlier keys.
pub fn merged(config_dir: &Path) -> IndexMap<String, Setting> {
    let mut out = IndexMap::new();
    for file in vars_files(config_dir) {
        for (key, value) in load(&file).unwrap_or_default() {
            out.insert(
                key,
                Setting {
                    value,
                    from: file.clone(),
                },
            );
        }
    }
    out
}

/// A YAML value on one line, as the plan shows it: strings plain when
/// nothing could read them as another type, else double-quoted.
pub fn show(value: &Yaml) -> String {
    match value {
        Yaml::String(s) => crate::render::string_text(s),
        Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        Yaml::Null => "null".into(),
        Yaml::Array(items) => format!(
            "[{}]",
            items.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        Yaml::Hash(h) => format!(
            "{{{}}}",
            h.iter()
                .map(|(k, v)| format!("{}: {}", key_text(k), show(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Yaml::Alias(_) | Yaml::BadValue => "?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_files_win_in_kollas_order() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path();
        std::fs::create_dir(c.join("globals.d")).unwrap();
        std::fs::write(c.join(BASE_FILE), "---\na: base\nb: base\n").unwrap();
        std::fs::write(c.join(AIO_FILE), "---\nb: aio\nc: aio\n").unwrap();
        std::fs::write(c.join("globals.d/zz.yaml"), "c: zz\n").unwrap();
        std::fs::write(c.join("globals.d/notes.txt"), "c: ignored\n").unwrap();
        let m = merged(c);
        let at = |k: &str| (m[k].value.as_str().unwrap(), m[k].from.clone());
        assert_eq!(at("a"), ("base", c.join(BASE_FILE)));
        assert_eq!(at("b"), ("aio", c.join(AIO_FILE)));
        assert_eq!(at("c"), ("zz", c.join("globals.d/zz.yaml")));
    }

    #[test]
    fn the_minimal_globals_is_a_mapping_and_old_aio_files_are_told_apart() {
        assert!(parse(MINIMAL).is_some_and(|m| m.len() == 1));
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(base_status(dir.path()), "missing");
        assert!(base_needs_writing(dir.path()));
        std::fs::write(
            dir.path().join(BASE_FILE),
            format!("{OLD_HEADER}---\nx: 1\n"),
        )
        .unwrap();
        assert!(base_needs_writing(dir.path()));
        std::fs::write(dir.path().join(BASE_FILE), "---\nx: 1\n").unwrap();
        assert!(!base_needs_writing(dir.path()));
        assert_eq!(base_status(dir.path()), BASE_PRESENT);
    }
}
