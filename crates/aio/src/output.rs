//! How the command line's output looks: colour and how much is shown.
//!
//! Text is written with ANSI styles through `anstream`, which strips them
//! unless colour is wanted (`--color always`, or `auto` on a terminal without
//! `NO_COLOR`), so the plain text is the same either way.
//!
//! Everything aio prints goes through [`outln!`](crate::outln),
//! [`out!`](crate::out) and [`errln!`](crate::errln), never `println!`: a
//! closed stdout or stderr ends aio quietly instead of with a panic.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

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

/// Set once stdout is found closed while a command that writes goes on.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
/// Set by a command that changes the system or writes a file.
static FINISH_WORK: AtomicBool = AtomicBool::new(false);

/// For a command that changes the system or writes a file after it starts
/// printing (`apply`, `adopt`, `destroy`, `plan --out`, `service`, `state
/// rm`): a closed stdout no longer ends aio; the rest of the output is
/// dropped, the command finishes what it was asked, and its exit status
/// says how that went. Called once, before any output.
pub fn finish_work_when_stdout_closes() {
    FINISH_WORK.store(true, Ordering::Relaxed);
}

/// Whether stdout was found closed (only ever, for a command that
/// finishes its work): a question cannot be seen there.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Writes `args` to stdout, with ANSI styles stripped unless colour is wanted.
///
/// A closed stdout (`aio plan | head -1`) ends aio at once, quietly, with
/// exit status 0, as ripgrep does: whoever reads has what it wanted. A
/// command that changes the system does not stop halfway for that: see
/// [`finish_work_when_stdout_closes`]. Any other failure to write (a full
/// disk) ends a command that changes nothing with status 1, saying so on
/// stderr. Use it through [`outln!`](crate::outln) and [`out!`](crate::out).
pub fn write_stdout(args: std::fmt::Arguments<'_>) {
    if stdout_closed() {
        return;
    }
    let written = {
        let mut out = anstream::stdout().lock();
        out.write_fmt(args).and_then(|()| out.flush())
    };
    let Err(e) = written else {
        return;
    };
    let closed = e.kind() == std::io::ErrorKind::BrokenPipe;
    if !closed {
        write_stderr(format_args!("error: cannot write to stdout: {e}\n"));
    }
    if FINISH_WORK.load(Ordering::Relaxed) {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        return;
    }
    std::process::exit(if closed { 0 } else { 1 });
}

/// Writes `args` to stderr, with ANSI styles stripped unless colour is
/// wanted. A closed stderr is ignored: there is nowhere left to tell, and
/// the exit status still says how the command ended. Use it through
/// [`errln!`](crate::errln).
pub fn write_stderr(args: std::fmt::Arguments<'_>) {
    let mut err = anstream::stderr().lock();
    // Nowhere to report a failure to write to stderr.
    let _ignored = err.write_fmt(args).and_then(|()| err.flush());
}

/// `println!` for aio: a line on stdout through [`write_stdout`].
#[macro_export]
macro_rules! outln {
    () => {
        $crate::output::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for aio: text on stdout through [`write_stdout`].
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!($($arg)*))
    };
}

/// `eprintln!` for aio: a line on stderr through [`write_stderr`].
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::write_stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}
