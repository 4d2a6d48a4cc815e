//! The command line, as clap reads it.

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

mod seconds;

use seconds::{lock_timeout, resync};

#[derive(Parser)]
#[command(
    name = "aio",
    version,
    disable_version_flag = true,
    arg_required_else_help = true,
    about = "Declarative host plumbing for an all-in-one OpenStack"
)]
pub struct Cli {
    /// Print the version, commit, build date, topology format and kolla-ansible series
    #[arg(short = 'V', long)]
    pub version: bool,
    /// With --version: print it as JSON
    #[arg(long, requires = "version")]
    pub json: bool,
    /// When to colour the output
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// More output: full values in plans and progress on stderr (-v), debug logs (-vv); RUST_LOG adds filters
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
pub enum Command {
    /// Write a commented starter topology.toml for this host (never overwrites a file)
    Init {
        #[command(flatten)]
        file: FileArg,
        /// The management NIC: auto (the interface of the IPv4 default route) or its name
        #[arg(long, value_name = "auto|NAME", default_value = "auto")]
        uplink: String,
        /// Look at network namespace /run/netns/NAME instead of the host's
        #[arg(long, value_name = "NAME")]
        netns: Option<String>,
    },
    /// Check a topology file without looking at the system
    Validate {
        #[command(flatten)]
        file: FileArg,
        /// Print the result as JSON (docs/validate.schema.json): every error with its line and column
        #[arg(long)]
        json: bool,
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
        /// Also save the plan to FILE, for `aio apply FILE`
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Show what `aio destroy` would delete instead (changes nothing; not with --out)
        #[arg(long, conflicts_with = "out")]
        destroy: bool,
    },
    /// Make the system match the topology (or carry out a saved plan)
    Apply {
        /// A plan saved by `aio plan --out`: applied as it is, or refused if the system changed since
        #[arg(value_name = "PLAN")]
        saved: Option<PathBuf>,
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        write: Write,
        /// Print the plan and the result as JSON
        #[arg(long)]
        json: bool,
        /// Leave what a failed apply did, instead of undoing it
        #[arg(long)]
        no_rollback: bool,
        /// Run this Kolla action again though it is recorded as done for the current inputs (repeatable), e.g. `--rerun deploy`
        #[arg(long, value_name = "ACTION", conflicts_with = "saved")]
        rerun: Vec<String>,
    },
    /// Take over a host another tool built: what exists and is what the topology declares becomes aio's
    ///
    /// Links, addresses and OVS ports of the declared names and kinds are
    /// recorded as aio's; a masquerade rule doing a `[[nat]]` entry's work
    /// (iptables' included) is replaced by aio's own and its duplicates are
    /// deleted; the old installer's boot units are disabled. Changes nothing
    /// else (`aio apply` makes what is missing or different). Shows the plan
    /// and asks first.
    Adopt {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        write: Write,
        /// Look for the old installer's boot units under DIR/etc/systemd/system [default: /; with --netns, none are looked for unless --root is given]
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Delete everything aio created for this topology (never Kolla's containers or data)
    Destroy {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        write: Write,
        /// Also run `kolla-ansible destroy` (asks you to type the Kolla config dir)
        #[arg(long)]
        kolla_ansible_destroy: bool,
    },
    /// Apply, then keep the system converged: repair what drifts as it happens
    Watch {
        #[command(flatten)]
        target: Target,
        /// Seconds between full checks, beyond what the kernel, nftables and OVSDB announce and the declared sysctls read every second (Kolla's files are checked only then); 1 to 86400
        #[arg(long, value_name = "SECS", default_value = "300", value_parser = resync)]
        resync: Duration,
        /// Seconds to wait while another aio changes the same state dir; 0 to 86400
        #[arg(long, value_name = "SECS", default_value = "30", value_parser = lock_timeout)]
        lock_timeout: Duration,
    },
    /// Show the live state of what the topology manages: each resource converged, drifted, missing, waiting or unavailable (changes nothing)
    Show {
        /// A plan saved by `aio plan --out`: shows it, and what it was made for, without looking at the system
        #[arg(value_name = "PLAN")]
        saved: Option<PathBuf>,
        #[command(flatten)]
        target: Target,
        /// Print it as JSON
        #[arg(long)]
        json: bool,
    },
    /// Walk the data paths the topology implies hop by hop, prove them with traffic, and name the first broken hop
    ///
    /// The outside network (uplink, forwarding, NAT, its bridge, the veth
    /// pair into the physnet bridge, OVN's bridge mapping and gateway
    /// chassis, Neutron's external network) and Octavia's management
    /// network (Neutron's network, the OVS port's VLAN, the health
    /// manager's interface). A probe in a namespace of its own pings the
    /// uplink's gateway through NAT and the physnet at its MTU; it is gone
    /// when doctor ends. Changes no configuration. Exit 0 when every hop
    /// holds, 1 when one is broken, 2 when one could not be checked.
    Doctor {
        #[command(flatten)]
        file: FileArg,
        /// Look at network namespace /run/netns/NAME instead of the host's
        #[arg(long, value_name = "NAME")]
        netns: Option<String>,
        /// Where aio records what it created [default: /var/lib/aio, or /var/lib/aio/netns/NAME with --netns]
        #[arg(long, value_name = "DIR")]
        state_dir: Option<PathBuf>,
        /// Print the report as JSON
        #[arg(long)]
        json: bool,
    },
    /// Print the dependency graph of the topology's resources as Graphviz DOT, e.g. `aio graph | dot -Tsvg > graph.svg`
    ///
    /// One cluster per provider; an edge from each resource to each one it depends on.
    /// Reads the file only, without root or a live system: an `auto` uplink is
    /// written as the placeholder `${uplink}` (in the NAT rule's name).
    Graph {
        #[command(flatten)]
        file: FileArg,
    },
    /// What aio owns in a state dir: list it, or stop owning an object without touching it
    State {
        #[command(subcommand)]
        action: StateAction,
    },
    /// Print a JSON Schema: of topology.toml, of a plan (`plan --json`), of a line of `apply --json`, of `validate --json`, of `doctor --json`
    Schema {
        #[arg(value_enum, default_value_t = SchemaKind::Topology)]
        kind: SchemaKind,
    },
    /// Run `aio watch` from boot on, as the systemd service aio.service
    Service {
        #[command(subcommand)]
        action: ServiceAction,
    },
    /// Print shell completions to stdout, e.g. `aio completions bash > /etc/bash_completion.d/aio`
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

impl Command {
    /// Whether the command changes the system or writes a file once it has
    /// started printing: a closed stdout must not stop it halfway.
    pub fn writes(&self) -> bool {
        match self {
            Command::Apply { .. }
            | Command::Adopt { .. }
            | Command::Destroy { .. }
            | Command::Service { .. } => true,
            // Its exit code is its verdict, whether anyone reads the report.
            Command::Doctor { .. } => true,
            Command::Plan { out, .. } => out.is_some(),
            Command::State { action } => matches!(action, StateAction::Rm { .. }),
            _ => false,
        }
    }
}

/// For the commands that change the system.
#[derive(Args)]
pub struct Write {
    /// Go ahead without asking
    #[arg(long)]
    pub yes: bool,
    /// Seconds to wait while another aio changes the same state dir; 0 to 86400
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = lock_timeout)]
    pub lock_timeout: Duration,
}

#[derive(Args)]
pub struct FileArg {
    /// The topology file
    #[arg(short = 'f', long = "file", default_value = DEFAULT_FILE)]
    pub path: PathBuf,
}

/// `-f` when it is not given.
pub const DEFAULT_FILE: &str = "topology.toml";

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
    /// Only this resource (KIND/NAME) and what it needs (or, destroying, what needs it); repeatable
    #[arg(long = "target", value_name = "ID")]
    pub targets: Vec<String>,
}

impl StateDir {
    pub fn path(&self) -> PathBuf {
        state_dir(self.state_dir.as_ref(), self.netns.as_ref())
    }
}

/// `--state-dir`, or where `--netns` (or the host) keeps its state.
fn state_dir(given: Option<&PathBuf>, netns: Option<&String>) -> PathBuf {
    match (given, netns) {
        (Some(dir), _) => dir.clone(),
        (None, Some(ns)) => PathBuf::from("/var/lib/aio/netns").join(ns),
        (None, None) => PathBuf::from("/var/lib/aio"),
    }
}

impl Target {
    /// What the run works on; an unreadable `--target` is refused.
    pub fn host(&self) -> Result<aio_host::Target, crate::Failure> {
        let targets = self
            .targets
            .iter()
            .map(|t| aio_engine::ResourceId::parse(t))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| crate::Failure::Refused(format!("--target: {e}")))?;
        Ok(aio_host::Target {
            file: self.file.path.clone(),
            netns: self.netns.clone(),
            state_dir: self.state_dir(),
            reruns: Vec::new(),
            targets,
        })
    }

    pub fn state_dir(&self) -> PathBuf {
        state_dir(self.state_dir.as_ref(), self.netns.as_ref())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    Topology,
    Plan,
    /// One line of `apply --json` (newline-delimited JSON)
    Apply,
    /// `show --json`
    Show,
    Validate,
    /// `doctor --json`
    Doctor,
}

/// Which state dir: as `--netns` and `--state-dir` say for the other commands.
#[derive(Args)]
pub struct StateDir {
    /// The state dir of the rehearsal in network namespace NAME
    #[arg(long, value_name = "NAME")]
    pub netns: Option<String>,
    /// The state dir [default: /var/lib/aio, or /var/lib/aio/netns/NAME with --netns]
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum StateAction {
    /// Every object aio owns: its id, provider and identity (ifindex, OVS _uuid, nft handle)
    List {
        #[command(flatten)]
        dir: StateDir,
        /// Print it as JSON
        #[arg(long)]
        json: bool,
    },
    /// Stop owning objects, leaving them on the system as they are (aio then never deletes them)
    Rm {
        /// KIND/NAME, as `aio state list` shows
        #[arg(value_name = "ID", required = true)]
        ids: Vec<String>,
        #[command(flatten)]
        dir: StateDir,
        /// Seconds to wait while another aio changes the same state dir; 0 to 86400
        #[arg(long, value_name = "SECS", default_value = "5", value_parser = lock_timeout)]
        lock_timeout: Duration,
    },
}

#[derive(Subcommand)]
pub enum ServiceAction {
    /// Write aio.service (`aio watch -f FILE`, before Docker), then `systemctl daemon-reload` and `systemctl enable aio.service`
    Install {
        #[command(flatten)]
        file: FileArg,
        #[command(flatten)]
        unit: UnitArgs,
    },
    /// `systemctl disable --now aio.service`, remove the unit, `systemctl daemon-reload`
    Uninstall {
        #[command(flatten)]
        unit: UnitArgs,
    },
}

#[derive(Args)]
pub struct UnitArgs {
    /// Print what would be done (and the unit), changing nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Replace or remove an aio.service that aio did not write, or that differs
    #[arg(long)]
    pub force: bool,
    /// The directory of the unit file (or of the packaged unit's drop-in)
    #[arg(long, value_name = "DIR", default_value = "/etc/systemd/system")]
    pub unit_dir: PathBuf,
    /// Where the Debian package installs aio.service; when it is there, only a drop-in is written
    #[arg(long, value_name = "DIR", default_value = "/usr/lib/systemd/system")]
    pub package_unit_dir: PathBuf,
    /// Only write or remove the unit file; run no systemctl (an image build, a chroot)
    #[arg(long)]
    pub no_systemctl: bool,
}
