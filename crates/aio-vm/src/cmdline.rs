//! The kernel command line of a direct boot: the serial console, the root
//! disk, the management address as `ip=` (which systemd-network-generator
//! turns into a `.network` file for networkd) and the run's SSH key.

use std::net::Ipv4Addr;

/// The interface the management network reaches in the VM: classic names,
/// so that it does not depend on the PCI slot.
pub const MGMT_IF: &str = "eth0";

/// What a VM's kernel command line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelCmdline {
    pub hostname: String,
    pub address: Ipv4Addr,
    pub prefix: u8,
    pub gateway: Ipv4Addr,
    /// The base64 part of the run's `ssh-ed25519` public key.
    pub ssh_ed25519: String,
}

impl KernelCmdline {
    /// The line, as QEMU's `-append` takes it.
    pub fn render(&self) -> String {
        let mask = prefix_mask(self.prefix);
        format!(
            "console=ttyS0 root=/dev/vda rw net.ifnames=0 panic=-1 \
             ip={address}::{gateway}:{mask}:{host}:{MGMT_IF}:off \
             aio.ssh_ed25519={key}",
            address = self.address,
            gateway = self.gateway,
            host = self.hostname,
            key = self.ssh_ed25519,
        )
    }
}

/// `24` -> `255.255.255.0`.
fn prefix_mask(prefix: u8) -> Ipv4Addr {
    let bits = u32::from(prefix.min(32));
    let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
    Ipv4Addr::from(mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> KernelCmdline {
        KernelCmdline {
            hostname: "aio-vm-1".into(),
            address: Ipv4Addr::new(192, 168, 100, 11),
            prefix: 24,
            gateway: Ipv4Addr::new(192, 168, 100, 1),
            ssh_ed25519: "AAAAC3NzaC1lZDI1NTE5AAAAIKey".into(),
        }
    }

    #[test]
    fn the_address_is_given_in_the_form_systemd_reads() {
        let rendered = line().render();
        assert!(
            rendered.contains(" ip=192.168.100.11::192.168.100.1:255.255.255.0:aio-vm-1:eth0:off "),
            "{rendered}"
        );
    }

    #[test]
    fn the_console_root_and_key_are_on_the_line_without_spaces_in_values() {
        let rendered = line().render();
        let words: Vec<&str> = rendered.split(' ').collect();
        for word in [
            "console=ttyS0",
            "root=/dev/vda",
            "rw",
            "net.ifnames=0",
            "aio.ssh_ed25519=AAAAC3NzaC1lZDI1NTE5AAAAIKey",
        ] {
            assert!(words.contains(&word), "{word} missing from {rendered}");
        }
    }

    #[test]
    fn masks_follow_the_prefix() {
        assert_eq!(prefix_mask(24), Ipv4Addr::new(255, 255, 255, 0));
        assert_eq!(prefix_mask(16), Ipv4Addr::new(255, 255, 0, 0));
        assert_eq!(prefix_mask(32), Ipv4Addr::new(255, 255, 255, 255));
        assert_eq!(prefix_mask(0), Ipv4Addr::new(0, 0, 0, 0));
    }
}
