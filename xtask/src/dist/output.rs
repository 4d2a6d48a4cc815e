//! A program's output as the package check compares it.

use std::process::Command;

/// What `program ARGS` prints, trimmed (aio's own output keeps its last
/// newline), or why it failed.
pub(super) fn output_of(program: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`{program} {}` failed ({}): {}{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string()
        + if program.ends_with("aio") { "\n" } else { "" })
}
