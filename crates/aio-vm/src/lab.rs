//! The network namespace the VMs live in: a bridge for their network, the
//! host side's address on it, and one tap device per VM. The root
//! namespace is never touched; dropping the lab deletes the namespace,
//! which takes its bridge and taps with it.

use std::net::Ipv4Addr;
use std::path::Path;
use std::process::Command;

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
    /// inside. Returns their names.
    pub fn sweep_stale() -> Result<Vec<String>, VmError> {
        let mut swept = Vec::new();
        for name in namespaces_starting(PREFIX_NS) {
            let Some(pid) = stale_owner(&name) else {
                continue;
            };
            if Path::new("/proc").join(pid.to_string()).exists() {
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
    fn vm_addresses_follow_the_first() {
        assert_eq!(
            LabNet::MANAGEMENT.address(2),
            Ipv4Addr::new(192, 168, 100, 12)
        );
        assert_eq!(LabNet::QEMU_USER.address(0), Ipv4Addr::new(10, 0, 2, 15));
    }
}
