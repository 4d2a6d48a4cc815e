//! The `aio` binary: parses the command line and runs the command.

use clap::Parser;
use std::process::ExitCode;

use aio::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.version {
        match cli.json {
            true => println!("{:#}", aio::version::data()),
            false => println!("{}", aio::version::text()),
        }
        return ExitCode::SUCCESS;
    }
    let Some(command) = cli.command else {
        eprintln!("error: a command is needed: see `aio --help`");
        return ExitCode::from(2);
    };
    aio::output::init(cli.color, cli.verbose);
    aio::logging::init(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start aio's runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(aio::commands::run(command)) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            anstream::eprintln!("{}", aio::render::failure::text(&failure));
            ExitCode::FAILURE
        }
    }
}
