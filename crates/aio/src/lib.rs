//! `aio`: plan and apply the host side of an all-in-one OpenStack from `topology.toml`.
//!
//! The binary is thin: [`cli`] says what the command line is, [`commands`]
//! runs one command by asking the run library (`aio-host`), and [`render`]
//! shows what it answers: plans, statuses, failures.

pub mod cli;
pub mod commands;
mod failure;
pub mod logging;
pub mod output;
mod prompt;
pub mod render;
pub mod version;

pub use failure::Failure;
