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
use yaml_rust2::Yaml;

use crate::KollaError;
use crate::yaml::YamlError;

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

/// A Kolla file's text, `None` when it does not exist; an error when it
/// is not a regular file, too large or not text (see `aio_fs::read_bounded`).
pub fn read_text(path: &Path) -> Result<Option<String>, KollaError> {
    match aio_fs::read_text_bounded(path, aio_fs::Bound::KOLLA_CONFIG) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `present` (the operator's, or the minimal one), `missing`, or one an
/// older aio wrote whole (replaced by the minimal one).
pub fn base_status(config_dir: &Path) -> Result<String, KollaError> {
    Ok(match read_text(&config_dir.join(BASE_FILE))? {
        Some(text) if text.starts_with(OLD_HEADER) => "written whole by an older aio".into(),
        Some(_) => BASE_PRESENT.into(),
        None => "missing".into(),
    })
}

/// Whether aio must (re)write `globals.yml` with [`MINIMAL`].
pub fn base_needs_writing(config_dir: &Path) -> Result<bool, KollaError> {
    Ok(read_text(&config_dir.join(BASE_FILE))?.is_none_or(|text| text.starts_with(OLD_HEADER)))
}

/// The files kolla-ansible passes to Ansible for globals, in its order:
/// `globals.yml` (if it exists: Kolla passes it whatever it is), then
/// `globals.d`'s readable YAML and JSON files sorted by path.
pub fn vars_files(config_dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let base = config_dir.join(BASE_FILE);
    if std::fs::symlink_metadata(&base).is_ok() {
        out.push(base);
    }
    let mut extra: Vec<PathBuf> = std::fs::read_dir(config_dir.join("globals.d"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && readable(p)
                && p.extension()
                    .is_some_and(|e| e == "yml" || e == "yaml" || e == "json")
        })
        .collect();
    extra.sort();
    out.extend(extra);
    out
}

/// Whether this process may read `path` (Kolla's `os.access(R_OK)`),
/// asked without opening it.
fn readable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a valid C string, not kept by access(2).
    unsafe { libc::access(c.as_ptr(), libc::R_OK) == 0 }
}

/// A file's top-level mapping, `None` when it is missing, not YAML or not
/// a mapping; an error when it cannot be read safely (not a regular file,
/// too large) or its aliases or nesting go past the bounds of
/// `crate::yaml`.
pub fn load(path: &Path) -> Result<Option<IndexMap<String, Yaml>>, KollaError> {
    let Some(text) = read_text(path)? else {
        return Ok(None);
    };
    parse(&text).map_err(|source| KollaError::Yaml {
        path: path.to_path_buf(),
        source,
    })
}

/// YAML text's top-level mapping, keys as text; `None` when it is not one.
pub fn parse(text: &str) -> Result<Option<IndexMap<String, Yaml>>, YamlError> {
    let Some(Yaml::Hash(hash)) = crate::yaml::first_document(text)? else {
        return Ok(None);
    };
    Ok(Some(
        hash.into_iter().map(|(k, v)| (key_text(&k), v)).collect(),
    ))
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
/// [`vars_files`] merged in order, later ones replacing earlier keys. A
/// file that cannot be read safely is an error (see [`load`]).
pub fn merged(config_dir: &Path) -> Result<IndexMap<String, Setting>, KollaError> {
    let mut out = IndexMap::new();
    for file in vars_files(config_dir) {
        for (key, value) in load(&file)?.unwrap_or_default() {
            out.insert(
                key,
                Setting {
                    value,
                    from: file.clone(),
                },
            );
        }
    }
    Ok(out)
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
        let m = merged(c).unwrap();
        let at = |k: &str| (m[k].value.as_str().unwrap(), m[k].from.clone());
        assert_eq!(at("a"), ("base", c.join(BASE_FILE)));
        assert_eq!(at("b"), ("aio", c.join(AIO_FILE)));
        assert_eq!(at("c"), ("zz", c.join("globals.d/zz.yaml")));
    }

    #[test]
    fn a_globals_file_aio_cannot_read_safely_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path();
        let base = c.join(BASE_FILE);
        std::os::unix::fs::symlink("/dev/zero", &base).unwrap();
        for err in [
            merged(c).unwrap_err().to_string(),
            base_status(c).unwrap_err().to_string(),
        ] {
            assert!(
                err.contains(&base.display().to_string()) && err.contains("character device"),
                "{err}"
            );
        }
        std::fs::remove_file(&base).unwrap();
        let mut bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n".to_string();
        for (name, was) in ["b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .zip("abcdefgh".chars())
        {
            let refs = vec![format!("*{was}"); 9].join(", ");
            bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        std::fs::write(&base, bomb).unwrap();
        let err = merged(c).unwrap_err().to_string();
        assert!(
            err.contains(&base.display().to_string()) && err.contains("aliases would copy"),
            "{err}"
        );
    }

    #[test]
    fn the_minimal_globals_is_a_mapping_and_old_aio_files_are_told_apart() {
        assert!(parse(MINIMAL).unwrap().is_some_and(|m| m.len() == 1));
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(base_status(dir.path()).unwrap(), "missing");
        assert!(base_needs_writing(dir.path()).unwrap());
        std::fs::write(
            dir.path().join(BASE_FILE),
            format!("{OLD_HEADER}---\nx: 1\n"),
        )
        .unwrap();
        assert!(base_needs_writing(dir.path()).unwrap());
        std::fs::write(dir.path().join(BASE_FILE), "---\nx: 1\n").unwrap();
        assert!(!base_needs_writing(dir.path()).unwrap());
        assert_eq!(base_status(dir.path()).unwrap(), BASE_PRESENT);
    }
}
