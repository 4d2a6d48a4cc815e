//! `aio completions SHELL`: the shell's completion script, from the clap definitions.

use clap::CommandFactory;

use crate::cli::Cli;

pub fn run(shell: clap_complete::Shell) -> u8 {
    let mut command = Cli::command();
    // Made whole first: clap_complete panics when its writer fails.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "aio", &mut script);
    out!("{}", String::from_utf8_lossy(&script));
    0
}
