//! How the command line's output looks: colour and how much is shown.
//!
//! Text is written with ANSI styles through `anstream`, which strips them
//! unless colour is wanted (`--color always`, or `auto` on a terminal without
//! `NO_COLOR`), so the plain text is the same either way.

use std::sync::atomic::{AtomicU8, Ordering};

use anstyle::{AnsiColor, Style};

use crate::cli::ColorWhen;

static VERBOSE: AtomicU8 = AtomicU8::new(0);

/// Settles colour and verbosity for the whole process, once, before any output.
pub fn init(color: ColorWhen, verbose: u8) {
    let choice = match color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    VERBOSE.store(verbose, Ordering::Relaxed);
}

/// How many `-v` were given.
pub fn verbosity() -> u8 {
    VERBOSE.load(Ordering::Relaxed)
}

/// Whether ANSI styles written to stderr reach it.
pub fn stderr_in_colour() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
}

/// `text` in `style`, ending with a reset.
pub fn styled(style: Style, text: &str) -> String {
    format!("{}{text}{}", style.render(), style.render_reset())
}

pub const ERROR: Style = AnsiColor::Red.on_default().bold();
pub const NOTE: Style = AnsiColor::Yellow.on_default();
