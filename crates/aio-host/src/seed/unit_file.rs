//! What a unit file runs: its `Exec*=` lines in `[Service]`, each a script
//! given by its absolute path, alone or after a shell (`/bin/sh SCRIPT`).

use std::fmt;

/// Where units are installed and enabled, under the root.
pub(super) const UNIT_DIR: &str = "etc/systemd/system";

/// The `Exec*=` settings of a service.
const EXEC_KEYS: [&str; 7] = [
    "ExecCondition",
    "ExecStartPre",
    "ExecStart",
    "ExecStartPost",
    "ExecReload",
    "ExecStop",
    "ExecStopPost",
];

/// The shells a script may be given to on the command line.
const SHELLS: [&str; 6] = [
    "/bin/sh",
    "/bin/bash",
    "/bin/dash",
    "/usr/bin/sh",
    "/usr/bin/bash",
    "/usr/bin/dash",
];

/// One `Exec*=` line of a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Exec {
    /// As written after `=`.
    pub line: String,
    /// The script it runs, if it runs one aio can read.
    pub script: Option<Script>,
}

/// A script an `Exec*=` line runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Script {
    /// Its absolute path (inside the root).
    pub path: String,
    /// Given to a shell on the command line (no `#!` line needed).
    pub through_shell: bool,
}

/// Why a unit file is not read as one that only runs scripts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitShape {
    /// No `ExecStart=` in `[Service]`.
    NoExecStart,
    /// A line continued with `\`.
    Continued,
    /// An `Exec*=` line that runs something other than one script.
    NotAScript(String),
}

impl fmt::Display for UnitShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnitShape::NoExecStart => write!(f, "it has no ExecStart="),
            UnitShape::Continued => write!(f, "it continues a line with `\\`"),
            UnitShape::NotAScript(line) => {
                write!(f, "`{line}` runs something other than one script")
            }
        }
    }
}

/// The `Exec*=` lines of unit file `text`, each with the script it runs.
pub(crate) fn execs(text: &str) -> Result<Vec<Exec>, UnitShape> {
    let mut section = "";
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if line.ends_with('\\') {
            return Err(UnitShape::Continued);
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name;
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        if section != "Service" || !EXEC_KEYS.contains(&key) {
            continue;
        }
        if value.is_empty() {
            // `ExecStart=` alone resets the list.
            out.retain(|(k, _): &(String, Exec)| k != key);
            continue;
        }
        out.push((
            key.to_string(),
            Exec {
                line: value.to_string(),
                script: script(value),
            },
        ));
    }
    if !out.iter().any(|(k, _)| k == "ExecStart") {
        return Err(UnitShape::NoExecStart);
    }
    Ok(out.into_iter().map(|(_, exec)| exec).collect())
}

/// The script `value` runs: `[-+!:]PATH` or `[-+!:]SHELL PATH`, absolute
/// paths without quotes, variables or specifiers.
fn script(value: &str) -> Option<Script> {
    let command = value.trim_start_matches(['-', '+', '!', ':']);
    if command.contains(['"', '\'', '$', '%', '\\', '@', ';']) {
        return None;
    }
    let words: Vec<&str> = command.split_whitespace().collect();
    let (path, through_shell) = match words.as_slice() {
        [path] => (*path, false),
        [shell, path] if SHELLS.contains(shell) => (*path, true),
        _ => return None,
    };
    path.starts_with('/').then(|| Script {
        path: path.to_string(),
        through_shell,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exec_line_of_the_service_is_read() {
        let execs = execs(
            "[Unit]\nExecStart=/not/a/service/key\n[Service]\nType=oneshot\n\
             ExecStartPre=-/bin/sh /opt/pre.sh\nExecStart=/usr/local/bin/a.sh\n",
        )
        .unwrap();
        let scripts: Vec<_> = execs.iter().map(|e| e.script.clone().unwrap()).collect();
        assert_eq!(scripts[0].path, "/opt/pre.sh");
        assert!(scripts[0].through_shell);
        assert_eq!(scripts[1].path, "/usr/local/bin/a.sh");
        assert!(!scripts[1].through_shell);
    }

    #[test]
    fn commands_with_arguments_or_no_exec_start_are_not_scripts() {
        let execs = execs("[Service]\nExecStart=/usr/sbin/openvpn --config x\n").unwrap();
        assert_eq!(execs[0].script, None);
        assert_eq!(
            super::execs("[Service]\nExecStop=/a.sh\n"),
            Err(UnitShape::NoExecStart)
        );
        assert_eq!(
            super::execs("[Service]\nExecStart=/a.sh \\\n  --flag\n"),
            Err(UnitShape::Continued)
        );
        assert_eq!(script("@/a.sh name"), None);
        assert_eq!(script("relative.sh"), None);
    }
}
