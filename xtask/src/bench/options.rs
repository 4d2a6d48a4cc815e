//! The bench's command line: sizes, runs, nmstatectl or not, write or print only.

use clap::Parser;

use super::error::BenchError;

/// aio's cost against ip -batch, ovs-vsctl (and nmstatectl), into docs/benchmarks.md.
#[derive(Debug, Parser)]
#[command(name = "bench", bin_name = "cargo xtask bench")]
pub struct Options {
    /// Also measure `nmstatectl apply --kernel` (installed into target/peers if missing).
    #[arg(long = "with-nmstate")]
    pub nmstate: bool,
    /// Runs of each measurement (at N = 1000, at most 3 of the slow ones).
    #[arg(long, value_name = "R", default_value_t = 5, value_parser = at_least_one)]
    pub runs: usize,
    /// The sizes N, comma-separated.
    #[arg(
        long,
        value_name = "N,...",
        value_delimiter = ',',
        default_value = "10,100,300,1000,10000",
        value_parser = at_least_one
    )]
    pub sizes: Vec<usize>,
    /// Print the tables only; leave docs/benchmarks.md and docs/benchmarks.svg as they are.
    #[arg(long = "no-write", action = clap::ArgAction::SetFalse)]
    pub write: bool,
}

impl Options {
    /// `args` (those after `bench`), the sizes sorted and each once.
    pub fn parse(args: &[String]) -> Result<Options, BenchError> {
        let argv = std::iter::once("bench").chain(args.iter().map(String::as_str));
        let mut o = Options::try_parse_from(argv).inspect_err(|e| {
            if !e.use_stderr() {
                // --help: the text on stdout, and done.
                e.exit()
            }
        })?;
        o.sizes.sort_unstable();
        o.sizes.dedup();
        Ok(o)
    }
}

/// A count or size: a whole number, at least 1.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, BenchError> {
        Options::parse(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn defaults() {
        let o = parse(&[]).unwrap();
        assert_eq!(
            (o.sizes, o.runs, o.nmstate, o.write),
            (vec![10, 100, 300, 1000, 10000], 5, false, true)
        );
    }

    #[test]
    fn flags_and_values() {
        let o = parse(&[
            "--with-nmstate",
            "--no-write",
            "--runs",
            "1",
            "--sizes",
            "100, 10,100",
        ])
        .unwrap();
        assert_eq!(
            (o.sizes, o.runs, o.nmstate, o.write),
            (vec![10, 100], 1, true, false)
        );
    }

    #[test]
    fn zero_and_strangers_refused() {
        for args in [
            &["--runs", "0"][..],
            &["--sizes", "10,0"],
            &["--sizes", ""],
            &["--fast"],
        ] {
            assert!(parse(args).is_err(), "{args:?}");
        }
    }

    #[test]
    fn clap_is_consistent() {
        use clap::CommandFactory;
        Options::command().debug_assert();
    }
}
