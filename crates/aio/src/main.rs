//! The `aio` binary: parses the command line and runs the command.
//! Everything it prints goes through `aio::output`: a closed stdout ends it
//! quietly with exit 0 (a command that changes the system first finishes
//! its work), a closed stderr is ignored.
#![deny(clippy::print_stdout, clippy::print_stderr)]

use clap::Parser;
use std::process::ExitCode;

use aio::cli::Cli;

fn main() -> ExitCode {
    one_malloc_arena();
    let cli = Cli::parse();
    if cli.version {
        match cli.json {
            true => aio::outln!("{:#}", aio::version::data()),
            false => aio::outln!("{}", aio::version::text()),
        }
        return ExitCode::SUCCESS;
    }
    let Some(command) = cli.command else {
        aio::errln!("error: a command is needed: see `aio --help`");
        return ExitCode::from(2);
    };
    aio::output::init(cli.color, cli.verbose);
    if command.writes() {
        aio::output::finish_work_when_stdout_closes();
    }
    aio::logging::init(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            aio::errln!("error: cannot start aio's runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(aio::commands::run(command)) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            aio::errln!("{}", aio::render::failure::text(&failure));
            ExitCode::FAILURE
        }
    }
}

/// aio's other threads are brief (the topology's parse, a hop into a
/// network namespace): with glibc's default of one malloc arena per thread,
/// what such a thread freed stays resident in its own heap for the rest of
/// the run (2.5 MiB of a 1000-bridge apply's 29). One arena for all of
/// them; they seldom allocate at the same time. Set before any thread starts.
fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; no thread exists yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}
