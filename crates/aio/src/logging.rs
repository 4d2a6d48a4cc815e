//! Logs on stderr through `tracing`: warnings by default, `-v` info (what
//! each provider changes), `-vv` debug (each netlink request, OVSDB
//! transaction and nft batch). `RUST_LOG` adds its own directives, e.g.
//! `RUST_LOG=aio_ovs=debug`.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

pub fn init(verbose: u8) {
    let level = match verbose {
        0 => LevelFilter::WARN,
        1 => LevelFilter::INFO,
        _ => LevelFilter::DEBUG,
    };
    let filter = EnvFilter::builder()
        .with_default_directive(level.into())
        .from_env_lossy();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(crate::output::stderr_in_colour())
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .init();
}
