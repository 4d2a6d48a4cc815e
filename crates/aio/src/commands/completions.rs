//! `aio completions SHELL`: the shell's completion script, from the clap definitions.

use clap::CommandFactory;

use crate::cli::Cli;

pub fn run(shell: clap_complete::Shell) -> u8 {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "aio", &mut std::io::stdout());
    0
}
