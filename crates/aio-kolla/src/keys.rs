//! Key-by-key differences of the files aio writes, as the plan shows them:
//! `~ globals: horizon_port: 8080 -> 8081`, `+ globals: enable_cinder: "yes"`,
//! `~ neutron.conf [DEFAULT] global_physnet_mtu: 1500 -> 9000`. Nested
//! globals show by their dotted path. A secret (by key or by content, see
//! `aio_topology::secret`) shows as `<sensitive>` on both sides.

use aio_engine::{DetailLine, LineKind};
use aio_topology::secret::{HIDDEN, is_secret_key, is_secret_value};
use yaml_rust2::Yaml;

use crate::globals;

/// One key: its value (compared, never shown when secret), and whether it is secret.
struct Key {
    name: String,
    value: String,
    secret: bool,
}

impl Key {
    fn shown(&self) -> String {
        if self.secret {
            HIDDEN.to_string()
        } else {
            // A value that spans lines (an INI continuation) on one line.
            self.value.replace('\n', "\\n")
        }
    }
}

/// The keys of one file, in file order.
type Keys = Vec<Key>;

/// The lines for globals going from `old` (the file now, if any) to `new`.
pub fn yaml_lines(label: &str, old: Option<&str>, new: &str) -> Vec<DetailLine> {
    let flat = |text: &str| {
        let mut out = Keys::new();
        // Past the bounds of `crate::yaml`, a file shows as no keys.
        for (key, value) in globals::parse(text).ok().flatten().unwrap_or_default() {
            flatten(&key, &value, false, &mut out);
        }
        out
    };
    lines(label, &old.map(flat).unwrap_or_default(), &flat(new))
}

/// The lines for an INI file going from `old` (the file now, if any) to `new`.
pub fn ini_lines(label: &str, old: Option<&str>, new: &str) -> Vec<DetailLine> {
    lines(
        label,
        &old.map(ini_keys).unwrap_or_default(),
        &ini_keys(new),
    )
}

/// A global's leaves: nested mappings by dotted path; lists and scalars whole.
fn flatten(path: &str, value: &Yaml, secret: bool, out: &mut Keys) {
    let secret = secret || is_secret_key(path.rsplit('.').next().unwrap_or(path));
    match value {
        Yaml::Hash(h) if !h.is_empty() => {
            for (k, v) in h {
                let key = match k {
                    Yaml::String(s) => s.clone(),
                    other => globals::show(other),
                };
                flatten(&format!("{path}.{key}"), v, secret, out);
            }
        }
        _ => {
            let text = globals::show(value);
            out.push(Key {
                name: path.to_string(),
                secret: secret || is_secret_value(&text) || holds_secret_key(value),
                value: text,
            });
        }
    }
}

/// Whether a list, shown whole, holds a mapping with a secret's key
/// (`users: [{name: a, password: x}]`).
fn holds_secret_key(value: &Yaml) -> bool {
    match value {
        Yaml::Array(items) => items.iter().any(holds_secret_key),
        Yaml::Hash(h) => h
            .iter()
            .any(|(k, v)| matches!(k, Yaml::String(k) if is_secret_key(k)) || holds_secret_key(v)),
        _ => false,
    }
}

/// `[section] key` and value of each `key = value` line of INI text.
fn ini_keys(text: &str) -> Keys {
    let mut out = Keys::new();
    let mut section = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with(['#', ';']) {
            continue;
        }
        if let Some(name) = t.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = name.trim().to_string();
            continue;
        }
        // A continuation line belongs to the key above it.
        if line.starts_with([' ', '\t']) {
            if let Some(key) = out.last_mut() {
                key.value.push('\n');
                key.value.push_str(t);
                key.secret |= is_secret_value(t);
            }
            continue;
        }
        let (key, value) = t.split_once('=').unwrap_or((t, ""));
        let (key, value) = (key.trim(), value.trim());
        out.push(Key {
            name: format!("[{section}] {key}"),
            secret: is_secret_key(key) || is_secret_value(value),
            value: value.to_string(),
        });
    }
    out
}

/// `+`, `~` and `-` lines, in the new file's order, then what it drops.
fn lines(label: &str, old: &Keys, new: &Keys) -> Vec<DetailLine> {
    fn find<'a>(keys: &'a Keys, name: &str) -> Option<&'a Key> {
        keys.iter().find(|k| k.name == name)
    }
    let mut out = Vec::new();
    for key in new {
        match find(old, &key.name) {
            None => out.push(DetailLine::new(
                LineKind::Added,
                format!("+ {label} {}: {}", key.name, key.shown()),
            )),
            Some(was) if was.value != key.value => out.push(DetailLine::new(
                LineKind::Changed,
                format!("~ {label} {}: {} -> {}", key.name, was.shown(), key.shown()),
            )),
            Some(_) => {}
        }
    }
    for key in old {
        if find(new, &key.name).is_none() {
            out.push(DetailLine::new(
                LineKind::Removed,
                format!("- {label} {}: {}", key.name, key.shown()),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: Vec<DetailLine>) -> Vec<String> {
        lines.into_iter().map(|l| l.text).collect()
    }

    #[test]
    fn each_line_says_its_kind() {
        let kinds: Vec<LineKind> =
            ini_lines("x.conf", Some("[a]\nb = 1\nc = 2\n"), "[a]\nb = 3\nd = 4\n")
                .into_iter()
                .map(|l| l.kind)
                .collect();
        assert_eq!(
            kinds,
            [LineKind::Changed, LineKind::Added, LineKind::Removed]
        );
    }

    #[test]
    fn a_list_holding_a_secret_is_hidden_whole() {
        let new = "---\nceph_users:\n  - name: cinder\n    key: AQSECRET\nhosts: [a, b]\n";
        let shown = texts(yaml_lines("globals:", None, new));
        assert_eq!(
            shown,
            [
                "+ globals: ceph_users: <sensitive>",
                "+ globals: hosts: [a, b]"
            ]
        );
    }

    #[test]
    fn globals_key_by_key_nested_by_path_secrets_hidden() {
        let old = "---\nhorizon_port: 8080\nenable_barbican: \"yes\"\nkeystone_admin_password: old-pw\nnet:\n  mtu: 1500\n  name: a\ngone: 1\n";
        let new = "---\nhorizon_port: 8081\nenable_barbican: \"yes\"\nenable_cinder: \"yes\"\nkeystone_admin_password: new-pw\nnet:\n  mtu: 9000\n  name: a\n";
        assert_eq!(
            texts(yaml_lines("globals:", Some(old), new)),
            [
                "~ globals: horizon_port: 8080 -> 8081",
                "+ globals: enable_cinder: \"yes\"",
                "~ globals: keystone_admin_password: <sensitive> -> <sensitive>",
                "~ globals: net.mtu: 1500 -> 9000",
                "- globals: gone: 1",
            ]
        );
        assert!(yaml_lines("globals:", Some(new), new).is_empty());
    }

    #[test]
    fn ini_key_by_key_with_sections_and_secrets_hidden() {
        let old = "# header\n[DEFAULT]\nglobal_physnet_mtu = 1500\n[database]\nconnection = mysql://u:pw@db/x\n";
        let new =
            "# other header\n[DEFAULT]\nglobal_physnet_mtu = 9000\n[quotas]\nquota_port = -1\n";
        assert_eq!(
            texts(ini_lines("neutron.conf", Some(old), new)),
            [
                "~ neutron.conf [DEFAULT] global_physnet_mtu: 1500 -> 9000",
                "+ neutron.conf [quotas] quota_port: -1",
                "- neutron.conf [database] connection: <sensitive>",
            ]
        );
        assert_eq!(
            texts(ini_lines("x.conf", None, "[a]\nb = c\n")),
            ["+ x.conf [a] b: c"]
        );
    }
}
