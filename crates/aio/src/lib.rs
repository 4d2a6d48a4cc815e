//! `aio`: plan and apply the host side of an all-in-one OpenStack from `topology.toml`.
//!
//! The binary is thin: [`cli`] says what the command line is, [`commands`]
//! runs one command, opening a [`session::Session`] (topology, facts,
//! providers) and printing what the engine answers.

pub mod cli;
pub mod commands;
mod failure;
mod locate;
pub mod logging;
pub mod output;
mod plan_view;
pub mod session;

pub use failure::Failure;
