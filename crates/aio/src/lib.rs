//! `aio`: plan and apply the host side of an all-in-one OpenStack from `topology.toml`.
//!
//! The binary is thin: [`cli`] says what the command line is, [`commands`]
//! runs one command by asking the run library (`aio-host`), and [`render`]
//! shows what it answers: plans, statuses, failures. Everything printed
//! goes through [`output`], which ends aio quietly when stdout is closed.
#![deny(clippy::print_stdout, clippy::print_stderr)]

// First, so that its `outln!`, `out!` and `errln!` are in scope below.
#[macro_use]
pub mod output;
pub mod cli;
pub mod commands;
mod failure;
pub mod logging;
mod prompt;
pub mod render;
pub mod version;

pub use failure::Failure;
