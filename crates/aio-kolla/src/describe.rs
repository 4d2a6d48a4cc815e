//! The plan's account of a change to `kolla/deployment`: what pip, the
//! files and kolla-genpwd will do, key by key, and which actions will run.

use aio_engine::{Action, Change, Detail, DetailLine, LineKind};

use crate::work::Work;
use crate::{globals, keys, passwords};

fn differs(change: &Change, key: &str) -> bool {
    change.differences().iter().any(|(k, _, _)| *k == key)
}

/// Lines that change nothing by themselves: what runs, what is written whole.
fn say(out: &mut Vec<DetailLine>, words: String) {
    out.push(DetailLine::new(LineKind::Context, words));
}

/// The change's detail: one line per thing that will happen, the files'
/// keys with their kind (added, changed, removed).
pub(crate) fn describe(work: &Work, change: &Change, reruns: &[String]) -> Detail {
    let d = &work.deployment;
    let mut text = Vec::new();
    if differs(change, "package") {
        say(
            &mut text,
            format!("venv {}: pip install {}", d.venv.display(), d.package),
        );
    }
    let base = d.config_dir.join(globals::BASE_FILE);
    if differs(change, "globals_yml") {
        let how = if base.exists() {
            "replaced by a minimal one (an older aio wrote it whole)"
        } else {
            "created, minimal: Kolla needs it"
        };
        say(
            &mut text,
            format!(
                "{}: {how}; aio's settings are in {}",
                base.display(),
                globals::AIO_FILE
            ),
        );
    }
    for (path, new) in &d.files {
        let target = d.config_dir.join(path);
        // Read errors were said when the deployment was observed.
        let old = globals::read_text(&target).ok().flatten();
        if old.as_deref() == Some(new.as_str()) {
            continue;
        }
        let lines = match path.strip_prefix("config/") {
            Some(ini) => keys::ini_lines(ini, old.as_deref(), new),
            None => keys::yaml_lines("globals:", old.as_deref(), new),
        };
        if lines.is_empty() {
            say(
                &mut text,
                format!("{}: rewritten, same keys and values", target.display()),
            );
        }
        text.extend(lines);
    }
    overridden(work, &mut text);
    let inventory = d.config_dir.join(crate::inventory::FILE);
    let current = globals::read_text(&inventory).ok().flatten();
    let wanted = match work.inventory_if_any() {
        Ok(found) => found.map(|(_, text)| text),
        Err(e) => {
            say(&mut text, e.to_string());
            None
        }
    };
    if wanted.is_none() || current != wanted {
        let local = wanted.as_deref().is_none_or(crate::inventory::all_local);
        let python = if local {
            format!(
                ", with ansible_python_interpreter = {}",
                work.venv().bin("python").display()
            )
        } else {
            " (multinode: each host's own Python)".to_string()
        };
        say(
            &mut text,
            format!(
                "{}: Kolla's {} inventory{python}",
                inventory.display(),
                d.inventory,
            ),
        );
    }
    if differs(change, "passwords") {
        say(
            &mut text,
            format!(
                "{}: kolla-genpwd fills the empty values (never shown)",
                d.config_dir.join(passwords::FILE).display()
            ),
        );
    }
    say(
        &mut text,
        format!("actions: {}", actions(work, change, reruns)),
    );
    Detail::Diff(text)
}

/// Keys aio sets that another globals file sets too, and whose value wins.
fn overridden(work: &Work, text: &mut Vec<DetailLine>) {
    let d = &work.deployment;
    let ours = d
        .files
        .get(globals::AIO_FILE)
        .and_then(|t| globals::parse(t).ok().flatten())
        .unwrap_or_default();
    let aio_file = d.config_dir.join(globals::AIO_FILE);
    let base = d.config_dir.join(globals::BASE_FILE);
    let mut in_base = Vec::new();
    let mut later: Vec<(String, std::path::PathBuf)> = Vec::new();
    for file in globals::vars_files(&d.config_dir) {
        if file == aio_file {
            continue;
        }
        // Read errors were said when the deployment was observed.
        let keys = globals::load(&file).ok().flatten().unwrap_or_default();
        for key in keys.keys().filter(|k| ours.contains_key(*k)) {
            if file == base {
                in_base.push(key.clone());
            } else if file > aio_file {
                later.push((key.clone(), file.clone()));
            }
        }
    }
    if !in_base.is_empty() {
        say(
            text,
            format!(
                "{} also sets {}: aio's values win (Kolla reads {} after it)",
                base.display(),
                in_base.join(", "),
                globals::AIO_FILE
            ),
        );
    }
    for (key, file) in later {
        say(
            text,
            format!(
                "{} sets {key} too, and wins over aio's value (Kolla reads it after {})",
                file.display(),
                globals::AIO_FILE
            ),
        );
    }
}

/// Which actions an apply of `change` runs, in words.
fn actions(work: &Work, change: &Change, reruns: &[String]) -> String {
    let d = &work.deployment;
    if d.actions.is_empty() {
        return "none (render only: actions = [])".into();
    }
    if change.action == Action::Adopt {
        return format!(
            "none: {} recorded as done for these inputs (adopted: passwords.yml is checked, and Kolla's containers where Docker answers)",
            d.actions.join(", ")
        );
    }
    let to_run = match work.to_run(reruns) {
        Ok(t) => t,
        Err(e) => return e.to_string(),
    };
    if to_run.actions.is_empty() {
        return "none: they already ran for these inputs".into();
    }
    let mut why = Vec::new();
    if to_run.resuming {
        why.push("resuming after a failure".to_string());
    }
    if !to_run.rerun.is_empty() {
        why.push(format!("--rerun {}", to_run.rerun.join(", ")));
    }
    if why.is_empty() {
        to_run.actions.join(", ")
    } else {
        format!("{} ({})", to_run.actions.join(", "), why.join("; "))
    }
}
