//! What a test looks at: every path under a directory (to prove nothing
//! was written there), the bounded tail of a log.

use std::path::{Path, PathBuf};

/// Every path under `dir` (directories too, not following links), sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if std::fs::symlink_metadata(&path).unwrap().is_dir() {
            out.extend(files_under(&path));
        }
        out.push(path);
    }
    out.sort();
    out
}

/// The last `lines` lines of file `path` (at most 64 KiB of it read), for
/// failure reports.
pub fn tail(path: &Path, lines: usize) -> String {
    use std::io::{Read, Seek, SeekFrom};
    const MAX: u64 = 64 * 1024;
    let Ok(mut file) = std::fs::File::open(path) else {
        return format!("({} not there)\n", path.display());
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(MAX)));
    let mut bytes = Vec::new();
    let _ = file.take(MAX).read_to_end(&mut bytes);
    tail_of(&String::from_utf8_lossy(&bytes), lines)
}

/// The last `lines` lines of `text`.
pub fn tail_of(text: &str, lines: usize) -> String {
    let kept: Vec<&str> = text.lines().rev().take(lines).collect();
    let mut out = String::new();
    for line in kept.into_iter().rev() {
        out += line;
        out.push('\n');
    }
    out
}
