//! What a failed run shows: the end of each VM's console without the
//! escapes and spinners systemd draws, the whole logs kept for later.

use std::path::Path;

/// Where the logs of a failed run are kept (the run's directory goes).
const FAILED_LOGS: &str = "target/vm-logs";

/// Forgets the logs an earlier failed run kept.
pub fn clear() {
    let _ = std::fs::remove_dir_all(crate::shell::root().join(FAILED_LOGS));
}

/// The end of each VM's serial console and QEMU log, without the escape
/// sequences and the progress lines systemd draws, to say why a proof
/// failed; the whole logs are copied to [`FAILED_LOGS`].
pub fn show_consoles(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let kept = crate::shell::root().join(FAILED_LOGS);
    let _ = std::fs::create_dir_all(&kept);
    let logs = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .flat_map(|path| match std::fs::read_dir(&path) {
            // A suite's own directory.
            Ok(inner) => inner.filter_map(Result::ok).map(|e| e.path()).collect(),
            Err(_) => vec![path],
        });
    for path in logs {
        if !path.to_string_lossy().ends_with(".log") {
            continue;
        }
        let raw = std::fs::read(&path).unwrap_or_default();
        let name = path
            .strip_prefix(dir)
            .map_or_else(|_| path.clone(), Path::to_path_buf)
            .to_string_lossy()
            .replace('/', "-");
        let _ = std::fs::write(kept.join(&name), &raw);
        let text = readable(&String::from_utf8_lossy(&raw));
        let tail: Vec<&str> = text.lines().rev().take(40).collect();
        eprintln!(
            "--- last lines of {} (whole in {}) ---",
            path.display(),
            kept.display()
        );
        for line in tail.iter().rev() {
            eprintln!("{line}");
        }
    }
}

/// Console text without ANSI escapes, carriage-return redraws and
/// systemd's "A start job is running" spinner lines.
fn readable(console: &str) -> String {
    let mut out = String::new();
    let mut chars = console.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte.
            if chars.peek() == Some(&'[') {
                chars.next();
                while let Some(&p) = chars.peek() {
                    chars.next();
                    if p.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(if c == '\r' { '\n' } else { c });
    }
    out.lines()
        .map(str::trim_end)
        .filter(|line| !line.is_empty() && !line.contains(" running ("))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_console_is_shown_without_escapes_or_spinners() {
        let console = "\u{1b}[0;32m  OK  \u{1b}[0m] Started ssh.service\r\n\
            \u{1b}[K[\u{1b}[0;31m*     \u{1b}[0m] (1 of 2) Job systemd-networkd-wait-online.service/start running (2min 19s / no limit)\r\n\
            [  183.2] openvswitch: Open vSwitch switching datapath\n";
        assert_eq!(
            readable(console),
            "  OK  ] Started ssh.service\n[  183.2] openvswitch: Open vSwitch switching datapath\n"
        );
    }
}
