//! The suite's inventory: each VM by its lab address with a topology of
//! its own, and aio taken out of the Debian package for the role to copy.

use std::path::{Path, PathBuf};
use std::process::Command;

use aio_vm::LabNet;
use serde_json::{Value, json};

/// How many VMs the suite boots.
pub const VMS: u8 = 3;
/// The VM whose veth the drift proof deletes.
pub const DRIFTED: u8 = 1;
/// The VM the last proof powers off.
pub const POWERED_OFF: u8 = 2;
/// Where the role writes each host's topology (`aio_topology_file`).
pub const TOPOLOGY_FILE: &str = "/etc/aio/topology.toml";
/// Where the package has aio; the role copies it from there.
pub const PACKAGED: &str = "usr/bin/aio";
/// Where the role installs aio on each VM (`aio_binary`).
pub const AIO: &str = "/usr/local/bin/aio";

/// What one VM's topology makes: a bridge with an address, a veth pair
/// whose peer is a port of the bridge, all named after the VM.
pub struct Plumbing {
    pub bridge: String,
    pub veth: String,
    pub peer: String,
    pub address: String,
}

impl Plumbing {
    pub fn of(index: u8) -> Self {
        Self {
            bridge: format!("br-node{index}"),
            veth: format!("veth-node{index}"),
            peer: format!("veth-node{index}-br"),
            address: format!("10.0.{}.1/24", 10 + u16::from(index)),
        }
    }

    /// The topology as the mapping `host_vars` give the role (`aio_topology`).
    fn topology(&self) -> Value {
        json!({
            "version": 1,
            "host": {"uplink": "auto"},
            "interfaces": {
                &self.bridge: {"type": "bridge", "addresses": [&self.address]},
                &self.veth: {"type": "veth", "peer": &self.peer},
                &self.peer: {"master": &self.bridge},
            }
        })
    }
}

/// The inventory name of VM `index`.
pub fn host(index: u8) -> String {
    format!("vm{index}")
}

pub fn hosts(indices: impl IntoIterator<Item = u8>) -> Vec<String> {
    indices.into_iter().map(host).collect()
}

/// Every VM by its lab address, root with the run's key, each with its
/// own topology; aio copied from `aio` on this side.
pub fn inventory(net: LabNet, key: &Path, aio: &Path) -> Value {
    let hosts: serde_json::Map<String, Value> = (0..VMS)
        .map(|i| {
            (
                host(i),
                json!({
                    "ansible_host": net.address(i).to_string(),
                    "aio_topology": Plumbing::of(i).topology(),
                }),
            )
        })
        .collect();
    json!({
        "all": {
            "hosts": hosts,
            "vars": {
                "ansible_user": "root",
                "ansible_ssh_private_key_file": key.display().to_string(),
                "ansible_ssh_common_args":
                    "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null",
                "ansible_python_interpreter": "/usr/bin/python3",
                "aio_binary_src": aio.display().to_string(),
                "aio_binary": AIO,
                "aio_topology_file": TOPOLOGY_FILE,
                "aio_timeout": 600,
            }
        }
    })
}

/// aio as the package has it, unpacked (`dpkg-deb -x`) under `dir`.
pub fn unpacked(deb: &Path, dir: &Path) -> Result<PathBuf, String> {
    let into = dir.join("package");
    let out = Command::new("dpkg-deb")
        .arg("-x")
        .arg(deb)
        .arg(&into)
        .output()
        .map_err(|e| format!("dpkg-deb: {e}"))?;
    let aio = into.join(PACKAGED);
    if !out.status.success() || !aio.is_file() {
        return Err(format!(
            "dpkg-deb -x {} gave no {PACKAGED}: {}",
            deb.display(),
            super::super::remote::said(&out)
        ));
    }
    Ok(aio)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_vm_has_plumbing_of_its_own_within_interface_name_limits() {
        let all: Vec<Plumbing> = (0..VMS).map(Plumbing::of).collect();
        for (i, p) in all.iter().enumerate() {
            for name in [&p.bridge, &p.veth, &p.peer] {
                assert!(name.len() <= 15, "{name} is too long for a Linux interface");
            }
            for q in &all[i + 1..] {
                assert_ne!(p.bridge, q.bridge);
                assert_ne!(p.veth, q.veth);
                assert_ne!(p.address, q.address);
            }
        }
    }

    #[test]
    fn the_inventory_gives_each_vm_its_address_and_topology() {
        let inventory = inventory(
            LabNet::MANAGEMENT,
            Path::new("/run/id"),
            Path::new("/run/package/usr/bin/aio"),
        );
        let vm1 = &inventory["all"]["hosts"]["vm1"];
        assert_eq!(vm1["ansible_host"], "192.168.100.11");
        let interfaces = &vm1["aio_topology"]["interfaces"];
        assert_eq!(interfaces["br-node1"]["addresses"][0], "10.0.11.1/24");
        assert_eq!(interfaces["veth-node1"]["peer"], "veth-node1-br");
        assert_eq!(interfaces["veth-node1-br"]["master"], "br-node1");
        assert_eq!(
            inventory["all"]["hosts"].as_object().map(|h| h.len()),
            Some(3)
        );
        assert_eq!(
            inventory["all"]["vars"]["ansible_ssh_private_key_file"],
            "/run/id"
        );
        assert_eq!(inventory["all"]["vars"]["aio_binary"], AIO);
        assert_eq!(
            inventory["all"]["vars"]["aio_binary_src"],
            "/run/package/usr/bin/aio"
        );
    }
}
