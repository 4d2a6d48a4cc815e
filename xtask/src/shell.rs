//! Running the chores' commands: the workspace root, root privileges,
//! commands that must succeed, programs on `PATH`.

use std::path::PathBuf;
use std::process::Command;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("workspace root")
}

/// Network namespaces, packages and the kernel objects the tests make need root.
pub fn require_root(what: &str) -> Result<(), String> {
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .map_err(|e| e.to_string())?;
    if String::from_utf8_lossy(&uid.stdout).trim() == "0" {
        Ok(())
    } else {
        Err(format!(
            "{what} needs root (it creates network namespaces): run it as root"
        ))
    }
}

/// Runs a command in the workspace root, failing on a non-zero exit.
pub fn sh(program: &str, args: &[&str]) -> Result<(), String> {
    println!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(root())
        .status()
        .map_err(|e| format!("{program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// Whether `program` is on `PATH`.
pub fn on_path(program: &str) -> bool {
    aio_child::find_program(program).is_some()
}
