//! `passwords.yml`, filled by the real `kolla-genpwd`. Its values are never
//! read into anything aio prints: only how many are still empty.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use yaml_rust2::Yaml;

use crate::KollaError;
use crate::files::FILE_MODE;
use crate::venv::Venv;

pub const FILE: &str = "passwords.yml";
pub const COMPLETE: &str = "complete";
/// Keys kolla-genpwd leaves blank on purpose (its `blank_keys`): set by hand when needed.
const BLANK_KEYS: [&str; 1] = ["docker_registry_password"];

/// `complete`, `missing`, or how many values are empty; an error when the
/// file cannot be read safely (see `globals::load`).
pub fn status(config_dir: &Path) -> Result<String, KollaError> {
    let path = config_dir.join(FILE);
    let Some(text) = crate::globals::read_text(&path)? else {
        return Ok("missing".into());
    };
    let doc =
        crate::yaml::first_document(&text).map_err(|source| KollaError::Yaml { path, source })?;
    let empty = match doc {
        Some(Yaml::Hash(h)) => h
            .iter()
            .filter(|(k, _)| !BLANK_KEYS.contains(&k.as_str().unwrap_or("")))
            .map(|(_, v)| empty_values(v))
            .sum(),
        _ => usize::MAX,
    };
    Ok(match empty {
        0 => COMPLETE.into(),
        usize::MAX => "unreadable".into(),
        n => format!("{n} empty"),
    })
}

fn empty_values(doc: &Yaml) -> usize {
    match doc {
        Yaml::Null => 1,
        Yaml::String(s) if s.is_empty() => 1,
        Yaml::Hash(h) => h.values().map(empty_values).sum(),
        _ => 0,
    }
}

/// Fills every empty value with `kolla-genpwd`, working on a copy (of the
/// current file, or of Kolla's example) that is renamed into place.
pub fn fill(venv: &Venv, config_dir: &Path) -> Result<(), KollaError> {
    let target = config_dir.join(FILE);
    let template = if target.exists() {
        target.clone()
    } else {
        venv.share().join("etc_examples/kolla").join(FILE)
    };
    let template_text = aio_fs::read_bounded(&template, aio_fs::Bound::KOLLA_CONFIG)?;
    crate::files::make_dir(config_dir).map_err(|e| KollaError::io(config_dir, e))?;
    // Made 0640 before any byte is in it; removed if anything fails, swept
    // by the next apply if aio is killed.
    let mut tmp =
        aio_fs::temp_beside(&target, FILE_MODE).map_err(|e| KollaError::io(config_dir, e))?;
    tmp.write_all(&template_text)
        .map_err(|e| KollaError::io(tmp.path(), e))?;
    let out = aio_child::output(
        Command::new(venv.bin("kolla-genpwd"))
            .arg("-p")
            .arg(tmp.path()),
        None,
    );
    let result = match out {
        Ok(o) if o.status.success() => Ok(()),
        // Its messages name files and keys, never values.
        Ok(o) => Err(KollaError::Genpwd(format!(
            "{}: {}",
            o.status,
            String::from_utf8_lossy(&o.stderr).trim()
        ))),
        Err(e) => Err(KollaError::Genpwd(format!(
            "cannot run {}: {e}",
            venv.bin("kolla-genpwd").display()
        ))),
    };
    result?;
    // kolla-genpwd may recreate the file: placing sets the mode again.
    aio_fs::place(tmp, &target, FILE_MODE).map_err(|e| KollaError::io(&target, e))
}
