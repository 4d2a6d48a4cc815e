//! The command line, as clap reads it.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "aio",
    version,
    about = "Declarative host plumbing for an all-in-one OpenStack"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Check a topology file without looking at the system
    Validate {
        #[command(flatten)]
        file: FileArg,
    },
    /// Show what apply would change (changes nothing)
    Plan {
        #[command(flatten)]
        target: Target,
        /// Print the plan as JSON
        #[arg(long)]
        json: bool,
        /// Exit 2 when there are changes, 0 when there are none
        #[arg(long)]
        detailed_exitcode: bool,
    },
    /// Make the system match the topology
    Apply {
        #[command(flatten)]
        target: Target,
        /// Apply without asking
        #[arg(long)]
        yes: bool,
        /// Print the plan and the result as JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct FileArg {
    /// The topology file
    #[arg(short = 'f', long = "file", default_value = "topology.toml")]
    pub path: PathBuf,
}

#[derive(Args)]
pub struct Target {
    #[command(flatten)]
    pub file: FileArg,
    /// Work inside network namespace /run/netns/NAME instead of the host's
    #[arg(long, value_name = "NAME")]
    pub netns: Option<String>,
    /// Where aio records what it created [default: /var/lib/aio, or /var/lib/aio/netns/NAME with --netns]
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
}

impl Target {
    pub fn state_dir(&self) -> PathBuf {
        match (&self.state_dir, &self.netns) {
            (Some(dir), _) => dir.clone(),
            (None, Some(ns)) => PathBuf::from("/var/lib/aio/netns").join(ns),
            (None, None) => PathBuf::from("/var/lib/aio"),
        }
    }
}
