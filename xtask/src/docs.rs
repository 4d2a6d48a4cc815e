//! `cargo xtask schema`: docs/topology.schema.json from the parser's types.
//! `cargo xtask man`: man pages from the command line's clap definitions.

use std::path::PathBuf;

use clap::CommandFactory;

/// Where the topology's JSON Schema is kept (a test checks it is current).
pub const SCHEMA: &str = "docs/topology.schema.json";
/// Where `cargo xtask man` writes, below the workspace root.
pub const MAN_DIR: &str = "target/man";

/// The schema as it is checked in: pretty JSON and a final newline.
pub fn schema_text() -> String {
    let schema = aio_topology::json_schema();
    serde_json::to_string_pretty(&schema).expect("a schema serializes") + "\n"
}

pub fn schema() -> Result<(), String> {
    let path = crate::root().join(SCHEMA);
    std::fs::write(&path, schema_text()).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

/// `aio.1` and one page per subcommand (`aio-plan.1`, ...); the paths written.
pub fn man() -> Result<Vec<PathBuf>, String> {
    let dir = crate::root().join(MAN_DIR);
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    // Pages of commands that no longer exist must not linger.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(io)?;
    let mut command = aio::cli::Cli::command();
    // Gives subcommands their display names, so pages are `aio-plan.1`, not `plan.1`.
    command.build();
    let subcommands = command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .cloned();
    let mut pages = Vec::new();
    for page in subcommands.chain([command.clone()]) {
        let path = clap_mangen::Man::new(page).generate_to(&dir).map_err(io)?;
        let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if len == 0 {
            return Err(format!("{} is empty", path.display()));
        }
        println!("wrote {}", path.display());
        pages.push(path);
    }
    Ok(pages)
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
            .current_dir(crate::root())
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
    let pages = man()?;
    if pages.is_empty() {
        return Err(format!("no man page in {MAN_DIR}"));
    }
    Ok(())
}
