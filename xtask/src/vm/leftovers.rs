//! What a run must not leave behind: its namespaces (with their taps) and
//! its QEMUs. Checked after the suites, whether they passed or not.

use std::path::Path;

/// No namespace of this run, no QEMU on its files (`dir`, which holds the
/// overlays, consoles and key).
pub fn none_left(dir: &Path) -> Result<((), String), String> {
    let namespaces = aio_sandbox::namespaces_starting(&format!("aio-vm-{}-", std::process::id()));
    if !namespaces.is_empty() {
        return Err(format!("namespaces left: {}", namespaces.join(", ")));
    }
    let marker = dir.display().to_string();
    let qemus: Vec<String> = std::fs::read_dir("/proc")
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            (cmdline.starts_with("qemu-system") && cmdline.contains(&marker))
                .then(|| entry.file_name().to_string_lossy().into_owned())
        })
        .collect();
    if !qemus.is_empty() {
        return Err(format!(
            "QEMU still running on the run's files: pids {}",
            qemus.join(", ")
        ));
    }
    Ok(((), "no namespace, tap or QEMU of the run".into()))
}
