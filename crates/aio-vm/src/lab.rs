//! The network namespace the VMs live in: a bridge for the management
//! network, the host side's address on it, and one tap device per VM.
//! The root namespace is never touched; dropping the lab deletes the
//! namespace, which takes its bridge and taps with it.

use std::net::Ipv4Addr;
use std::path::Path;
use std::process::Command;

use crate::VmError;
use crate::process::run;

/// The management bridge inside the namespace.
pub const MGMT_BRIDGE: &str = "br-mgmt";
/// The namespace's address on the management network, the VMs' gateway.
pub const GATEWAY: Ipv4Addr = Ipv4Addr::new(192, 168, 100, 1);
/// The management network's prefix length.
pub const PREFIX: u8 = 24;

/// A network namespace made for one run.
#[derive(Debug)]
pub struct Lab {
    name: String,
}

impl Lab {
    /// Creates `aio-vm-PID` with its management bridge up at [`GATEWAY`].
    pub fn create() -> Result<Self, VmError> {
        let name = format!("aio-vm-{}", std::process::id());
        run(Command::new("ip").args(["netns", "add", &name]))?;
        let lab = Self { name };
        lab.ip(&["link", "set", "lo", "up"])?;
        lab.ip(&["link", "add", MGMT_BRIDGE, "type", "bridge"])?;
        lab.ip(&[
            "addr",
            "add",
            &format!("{GATEWAY}/{PREFIX}"),
            "dev",
            MGMT_BRIDGE,
        ])?;
        lab.ip(&["link", "set", MGMT_BRIDGE, "up"])?;
        Ok(lab)
    }

    /// Deletes the namespaces of earlier runs whose process is gone (an
    /// interrupted run cannot drop its lab), killing by PID any QEMU still
    /// inside. Returns their names.
    pub fn sweep_stale() -> Result<Vec<String>, VmError> {
        let listed = run(Command::new("ip").args(["netns", "list"]))?;
        let mut swept = Vec::new();
        for name in listed
            .lines()
            .filter_map(|line| line.split_whitespace().next())
        {
            let Some(pid) = name.strip_prefix("aio-vm-") else {
                continue;
            };
            if pid.parse::<u32>().is_err() || Path::new("/proc").join(pid).exists() {
                continue;
            }
            let inside = run(Command::new("ip").args(["netns", "pids", name]))?;
            for qemu in inside.split_whitespace() {
                let _ = Command::new("kill").args(["-KILL", qemu]).output();
            }
            run(Command::new("ip").args(["netns", "delete", name]))?;
            swept.push(name.to_string());
        }
        Ok(swept)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The address of the VM numbered `index` (from 0) on the management network.
    pub fn address(index: u8) -> Ipv4Addr {
        Ipv4Addr::new(192, 168, 100, 10_u8.saturating_add(index))
    }

    /// A tap device `tapN` on the management bridge, for the VM numbered `index`.
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

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "delete", &self.name])
            .output();
    }
}
