//! One module per command; [`run`] picks it.

mod apply;
mod plan;

use crate::Failure;
use crate::cli::Command;

/// Exit code 2: `plan --detailed-exitcode` found changes.
const CHANGES_PENDING: u8 = 2;

/// Runs `command`; the exit code on success.
pub async fn run(command: Command) -> Result<u8, Failure> {
    match command {
        Command::Validate { file } => {
            let t = aio_topology::load(&file.path)?;
            println!(
                "{}: valid ({} interfaces)",
                file.path.display(),
                t.interfaces.len()
            );
            Ok(0)
        }
        Command::Plan {
            target,
            json,
            detailed_exitcode,
        } => {
            let code = plan::run(&target, json).await?;
            Ok(if detailed_exitcode { code } else { 0 })
        }
        Command::Apply { target, yes, json } => apply::run(&target, yes, json).await,
    }
}
