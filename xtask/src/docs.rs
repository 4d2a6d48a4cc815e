//! `cargo xtask schema`: docs/topology.schema.json from the parser's types.

/// Where the topology's JSON Schema is kept (a test checks it is current).
pub const SCHEMA: &str = "docs/topology.schema.json";

/// The schema as it is checked in: pretty JSON and a final newline.
pub fn schema_text() -> String {
    let schema = aio_topology::json_schema();
    serde_json::to_string_pretty(&schema).expect("a schema serializes") + "\n"
}

pub fn schema() -> Result<(), String> {
    let path = crate::shell::root().join(SCHEMA);
    std::fs::write(&path, schema_text()).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

/// For `cargo xtask ci`: the real binary's completions for bash, zsh and
/// fish, and the man pages; none may be empty.
pub fn check_completions_and_man() -> Result<(), String> {
    for shell in ["bash", "zsh", "fish"] {
        let args = [
            "run",
            "--quiet",
            "--package",
            "aio",
            "--",
            "completions",
            shell,
        ];
        println!("$ cargo {}", args.join(" "));
        let out = std::process::Command::new("cargo")
            .args(args)
            .current_dir(crate::shell::root())
            .output()
            .map_err(|e| format!("cargo run: {e}"))?;
        if !out.status.success() || out.stdout.is_empty() {
            return Err(format!(
                "`aio completions {shell}` failed or printed nothing ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        println!("aio completions {shell}: {} bytes", out.stdout.len());
    }
    let pages = crate::man::man()?;
    crate::man::check(&pages)
}
