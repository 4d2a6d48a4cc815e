//! Running the programs the harness drives, failing on a non-zero exit.

use std::process::{Command, Output};

use crate::VmError;

/// Runs `command` to its end; its stdout when it succeeds.
pub(crate) fn run(command: &mut Command) -> Result<String, VmError> {
    let out = output(command)?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs `command` to its end; its whole output when it succeeds.
pub(crate) fn output(command: &mut Command) -> Result<Output, VmError> {
    let shown = describe(command);
    let out = command.output().map_err(|source| VmError::Spawn {
        program: command.get_program().to_string_lossy().into_owned(),
        source,
    })?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(VmError::Failed {
            command: shown,
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

/// The command as a line, for messages.
pub(crate) fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
