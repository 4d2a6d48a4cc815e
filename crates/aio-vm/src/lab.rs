//! The network namespace the VMs live in: a bridge for their network, the
//! host side's address on it, and one tap device per VM. The root
//! namespace is never touched; dropping the lab deletes the namespace,
//! which takes its bridge and taps with it.

use std::net::Ipv4Addr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aio_sandbox::{delete_namespace, namespaces_starting};

use crate::VmError;
use crate::process::run;

/// The bridge inside the namespace that every tap is a port of.
pub const MGMT_BRIDGE: &str = "br-mgmt";

/// The prefix of every lab's namespace: `aio-vm-PID-NAME`.
const PREFIX_NS: &str = "aio-vm-";

/// The network a lab's VMs are on: the namespace's address (the VMs'
/// gateway), the prefix length, and where the VMs' addresses start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabNet {
    pub gateway: Ipv4Addr,
    pub prefix: u8,
    /// The address of VM 0; VM N has this plus N.
    pub first: Ipv4Addr,
}

impl LabNet {
    /// 192.168.100.0/24: clear of every network the reference topology uses.
    pub const MANAGEMENT: Self = Self {
        gateway: Ipv4Addr::new(192, 168, 100, 1),
        prefix: 24,
        first: Ipv4Addr::new(192, 168, 100, 10),
    };

    /// 10.0.2.0/24 with the VM at 10.0.2.15 behind 10.0.2.2: QEMU's and
    /// VirtualBox's default NAT network, where many VMs have their uplink.
    pub const QEMU_USER: Self = Self {
        gateway: Ipv4Addr::new(10, 0, 2, 2),
        prefix: 24,
        first: Ipv4Addr::new(10, 0, 2, 15),
    };

    /// The address of the VM numbered `index` (from 0).
    pub fn address(&self, index: u8) -> Ipv4Addr {
        let [a, b, c, d] = self.first.octets();
        Ipv4Addr::new(a, b, c, d.saturating_add(index))
    }
}

/// A network namespace made for one run.
#[derive(Debug)]
pub struct Lab {
    name: String,
    net: LabNet,
}

impl Lab {
    /// Creates `aio-vm-PID-NAME` with its bridge up at the net's gateway.
    /// `name` tells a run's labs apart (letters, digits and `-`).
    pub fn create(name: &str, net: LabNet) -> Result<Self, VmError> {
        let name = format!("{PREFIX_NS}{}-{name}", std::process::id());
        run(Command::new("ip").args(["netns", "add", &name]))?;
        let lab = Self { name, net };
        lab.ip(&["link", "set", "lo", "up"])?;
        lab.ip(&["link", "add", MGMT_BRIDGE, "type", "bridge"])?;
        lab.ip(&[
            "addr",
            "add",
            &format!("{}/{}", net.gateway, net.prefix),
            "dev",
            MGMT_BRIDGE,
        ])?;
        lab.ip(&["link", "set", MGMT_BRIDGE, "up"])?;
        Ok(lab)
    }

    /// Deletes the namespaces of earlier runs whose process is gone (an
    /// interrupted run cannot drop its lab), killing by PID any QEMU still
    /// inside. Returns their names. A process that now has the run's PID
    /// but started after the namespace was made is another one: the PID
    /// was reused, and the namespace is swept too.
    pub fn sweep_stale() -> Result<Vec<String>, VmError> {
        let mut swept = Vec::new();
        for name in namespaces_starting(PREFIX_NS) {
            let Some(pid) = stale_owner(&name) else {
                continue;
            };
            if still_running(&name, pid) {
                continue;
            }
            let inside = run(Command::new("ip").args(["netns", "pids", &name]))?;
            for qemu in inside.split_whitespace() {
                let _ = Command::new("kill").args(["-KILL", qemu]).output();
            }
            delete_namespace(&name);
            swept.push(name);
        }
        let left = namespaces_starting(PREFIX_NS);
        if let Some(name) = swept.iter().find(|name| left.contains(name)) {
            return Err(VmError::Failed {
                command: format!("ip netns delete {name}"),
                status: "still listed".into(),
                stderr: String::new(),
            });
        }
        Ok(swept)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn net(&self) -> LabNet {
        self.net
    }

    /// The address of the VM numbered `index` (from 0).
    pub fn address(&self, index: u8) -> Ipv4Addr {
        self.net.address(index)
    }

    /// A tap device `tapN` on the bridge, for the VM numbered `index`.
    pub fn tap(&self, index: u8) -> Result<String, VmError> {
        let tap = format!("tap{index}");
        self.ip(&["tuntap", "add", "dev", &tap, "mode", "tap"])?;
        self.ip(&["link", "set", &tap, "master", MGMT_BRIDGE])?;
        self.ip(&["link", "set", &tap, "up"])?;
        Ok(tap)
    }

    /// A command run inside the namespace.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.name, program]);
        command
    }

    fn ip(&self, args: &[&str]) -> Result<String, VmError> {
        run(Command::new("ip").args(["-n", &self.name]).args(args))
    }
}

/// The PID of the run that made namespace `name`, if it is a lab's.
fn stale_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(PREFIX_NS)?;
    let pid = rest.split('-').next()?;
    pid.parse().ok()
}

/// Where `ip netns` keeps its namespaces; a file's mtime is when it was made.
const NETNS_DIR: &str = "/run/netns";
/// Clock ticks per second in `/proc/PID/stat` (`USER_HZ`, 100 on Linux).
const USER_HZ: u64 = 100;
/// How far apart a process's start and its namespace's making may seem
/// though the process made it: the boot time is given in whole seconds,
/// and the wall clock may have been set since the boot.
const CLOCK_SLACK: Duration = Duration::from_secs(5);

/// Whether the run that made namespace `name` (PID `pid`) still runs: a
/// process of that PID started before the namespace was made. When that
/// cannot be told, it is taken as running and its lab is left alone.
fn still_running(name: &str, pid: u32) -> bool {
    let proc_dir = Path::new("/proc").join(pid.to_string());
    if !proc_dir.exists() {
        return false;
    }
    let made = std::fs::metadata(Path::new(NETNS_DIR).join(name)).and_then(|meta| meta.modified());
    match (process_started(&proc_dir), made) {
        (Some(started), Ok(made)) => could_have_made(started, made),
        _ => true,
    }
}

/// When the process of `/proc/PID` (`proc_dir`) started, by the wall clock.
fn process_started(proc_dir: &Path) -> Option<SystemTime> {
    let stat = std::fs::read_to_string(proc_dir.join("stat")).ok()?;
    let boot = boot_time(&std::fs::read_to_string("/proc/stat").ok()?)?;
    Some(started_at(boot, start_ticks(&stat)?))
}

/// The `starttime` of a `/proc/PID/stat` line: clock ticks after the boot.
/// Its fields are counted after the command name, which may hold spaces
/// and parentheses.
fn start_ticks(stat: &str) -> Option<u64> {
    let (_, fields) = stat.rsplit_once(')')?;
    // Field 22 of the line; the state (field 3) is the first after the name.
    fields.split_whitespace().nth(22 - 3)?.parse().ok()
}

/// `btime` of `/proc/stat`: the boot, in seconds since the epoch.
fn boot_time(proc_stat: &str) -> Option<u64> {
    proc_stat
        .lines()
        .find_map(|line| line.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()
}

fn started_at(boot_seconds: u64, ticks: u64) -> SystemTime {
    UNIX_EPOCH
        + Duration::from_secs(boot_seconds)
        + Duration::from_millis(ticks.saturating_mul(1000) / USER_HZ)
}

/// Whether a process that started at `started` can have made a namespace
/// made at `made`: not when it started after it.
fn could_have_made(started: SystemTime, made: SystemTime) -> bool {
    started <= made + CLOCK_SLACK
}

impl Drop for Lab {
    fn drop(&mut self) {
        delete_namespace(&self.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lab_namespace_names_the_run_that_made_it() {
        assert_eq!(stale_owner("aio-vm-4242-host"), Some(4242));
        assert_eq!(stale_owner("aio-vm-4242"), Some(4242));
        assert_eq!(stale_owner("aio-t1-host"), None);
        assert_eq!(stale_owner("aio-vm-x-host"), None);
    }

    #[test]
    fn a_process_started_after_the_namespace_did_not_make_it() {
        let made = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let minute = Duration::from_secs(60);
        assert!(could_have_made(made - minute, made));
        assert!(could_have_made(made, made));
        // The boot time's whole seconds do not make the maker a stranger.
        assert!(could_have_made(made + Duration::from_secs(1), made));
        // The PID was reused by a process started later.
        assert!(!could_have_made(made + minute, made));
    }

    #[test]
    fn the_start_of_a_process_is_read_after_its_name() {
        let stat = "4242 (x) y (z) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 \
                    123456 1000 10 18446744073709551615";
        assert_eq!(start_ticks(stat), Some(123_456));
        assert_eq!(start_ticks("4242 (x) S 1"), None);
        assert_eq!(
            boot_time("cpu 1 2 3\nbtime 1700000000\nprocesses 9\n"),
            Some(1_700_000_000)
        );
        assert_eq!(
            started_at(1_700_000_000, 250),
            UNIX_EPOCH + Duration::from_millis(1_700_000_002_500)
        );
    }

    #[test]
    fn this_process_started_before_now() {
        let me = Path::new("/proc").join(std::process::id().to_string());
        let started = process_started(&me).unwrap();
        let now = SystemTime::now();
        assert!(could_have_made(started, now), "{started:?} after {now:?}");
        assert!(started + Duration::from_secs(3600) > now, "{started:?}");
    }

    #[test]
    fn vm_addresses_follow_the_first() {
        assert_eq!(
            LabNet::MANAGEMENT.address(2),
            Ipv4Addr::new(192, 168, 100, 12)
        );
        assert_eq!(LabNet::QEMU_USER.address(0), Ipv4Addr::new(10, 0, 2, 15));
    }
}
