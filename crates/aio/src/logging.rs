//! Logs on stderr through `tracing`: warnings by default, `-v` info (what
//! each provider changes), `-vv` debug (each netlink request, OVSDB
//! transaction and nft batch). `RUST_LOG` adds its own directives, e.g.
//! `RUST_LOG=aio_ovs=debug`. Every line goes through
//! [`aio_topology::secret::scrub`]: no log shows a URL's password or a PEM block.

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
        .with_writer(|| Scrubbed(std::io::stderr()))
        .with_ansi(crate::output::stderr_in_colour())
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .init();
}

/// stderr, with credentials hidden from each event (`fmt` writes an event
/// whole). A closed stderr loses the event and nothing else: `fmt` would
/// report the failure with `eprintln!`, which panics on the same stderr.
struct Scrubbed(std::io::Stderr);

impl std::io::Write for Scrubbed {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = aio_topology::secret::scrub(&String::from_utf8_lossy(buf));
        // Nowhere to report a failure to write to stderr.
        let _lost = self.0.write_all(text.as_bytes());
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        // As in `write`: a closed stderr is not aio's failure.
        let _lost = self.0.flush();
        Ok(())
    }
}
