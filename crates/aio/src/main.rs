//! The `aio` binary: parses the command line and runs the command.

use clap::Parser;
use std::process::ExitCode;

use aio::Failure;
use aio::cli::Cli;
use aio_topology::LoadError;
use aio_topology::secret::scrub;

fn main() -> ExitCode {
    let cli = Cli::parse();
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
    match runtime.block_on(aio::commands::run(cli.command)) {
        Ok(code) => ExitCode::from(code),
        // Diagnostics of a file start with their own `FILE:LINE:COL: error:`.
        // No error shows a credential it quotes (a URL's password, a PEM block).
        Err(failure @ (Failure::Topology(LoadError::Invalid(_)) | Failure::Facts(_))) => {
            eprintln!("{}", scrub(&failure.to_string()));
            ExitCode::FAILURE
        }
        Err(failure) => {
            let error = aio::output::styled(aio::output::ERROR, "error:");
            anstream::eprintln!("{error} {}", scrub(&failure.to_string()));
            ExitCode::FAILURE
        }
    }
}
