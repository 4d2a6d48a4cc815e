//! Finding a program the way a shell does, without a shell: the first
//! executable file of that name in a directory of `PATH`.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

/// `program` in a directory of `PATH`: a regular file someone may execute.
pub fn find_program(program: &str) -> Option<PathBuf> {
    if program.is_empty() || program.contains('/') {
        return None;
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|file| {
            std::fs::metadata(file)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_is_on_path_only() {
        assert!(find_program("ls").is_some());
        assert!(find_program("no-such-program-anywhere").is_none());
        assert!(find_program("").is_none(), "a directory is not a program");
        assert!(find_program("bin/ls").is_none(), "a path is not a name");
    }
}
