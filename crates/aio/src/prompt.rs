//! Questions on the terminal before a command changes the system. Without
//! a terminal, or with stdout closed, nothing is asked: the command is
//! refused rather than hang.

use std::io::{BufRead, IsTerminal};

use crate::Failure;

/// The answer to `question`; without a terminal, refused with `without_terminal`.
fn ask(question: &str, without_terminal: &str) -> Result<String, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Refused(without_terminal.to_string()));
    }
    out!("{question}");
    if crate::output::stdout_closed() {
        let asked = question.trim().lines().last().unwrap_or_default();
        return Err(Failure::Refused(format!(
            "stdout is closed, so aio cannot ask \"{asked}\" and goes no further"
        )));
    }
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    Ok(answer.trim().to_string())
}

/// Whether the user typed `yes` to `question`.
pub fn confirm(question: &str) -> Result<bool, Failure> {
    let answer = ask(
        &format!("\n{question} Only 'yes' is accepted: "),
        "no terminal to ask for confirmation: add --yes to go ahead",
    )?;
    Ok(answer == "yes")
}

/// Whether the user typed `expected` back, after `warning`.
pub fn type_back(warning: &str, expected: &str, without_terminal: &str) -> Result<bool, Failure> {
    let answer = ask(
        &format!("\n{warning}\nType {expected} to go ahead: "),
        without_terminal,
    )?;
    Ok(answer == expected)
}
