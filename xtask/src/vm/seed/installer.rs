//! The seed's installer, as far as it can run in a VM without the
//! internet: its own lines, read from its `install.sh` at run time, that
//! install and start the two boot units, and its last line, which puts
//! `v-lbaas-vlan` on `br-ex` with tag 1718.
//!
//! Run, as `install.sh` runs them, in a copy of the seed's checkout
//! (`./scripts/...`): every `sudo cp ./scripts/...`, `sudo chmod +x
//! /usr/local/bin/...` and `sudo systemctl ...` line, so the units and
//! scripts land where and how the installer puts them (`/usr/local/bin`,
//! `/etc/systemd/system`, `daemon-reload`, `enable`, `start`), and its
//! final `ovs-vsctl add-port`.
//!
//! Not run: the VIP search (pings and a prompt), `curl ifconfig.me`, `apt
//! install`, the venv and `pip install` of kolla-ansible and the clients,
//! Docker's setup, `kolla-genpwd`, the config heredocs and `globals.yml`
//! seds, and every `kolla-ansible` action. They need the internet, a
//! Kolla deployment or tens of minutes, and none of them touches what aio
//! adopts at boot: the links, the masquerade rule and the two units.
//! What Kolla's deploy leaves that the plumbing needs is made as Kolla
//! makes it: `br-ex` with `neutron_external_interface` (`veth-ovs`) as its
//! port, by Debian's Open vSwitch, which plays Kolla's OVS containers (the
//! installer's last line runs `ovs-vsctl` in `openvswitch_vswitchd`; here
//! it runs on the host, against the same kind of database).

use std::path::{Path, PathBuf};

/// The seed's files the boot-unit lines copy, by their name in `upstream/`
/// (`scripts_NAME`) and in the installer's checkout (`scripts/NAME`).
pub const SCRIPTS: [&str; 4] = [
    "setup-interfaces.sh",
    "setup-interfaces.service",
    "veth-lbaas.sh",
    "veth-lbaas.service",
];
/// The units the installer enables.
pub const UNITS: [&str; 2] = ["setup-interfaces.service", "veth-lbaas.service"];
/// Where, in the VM, the installer's checkout is laid out.
pub const CHECKOUT: &str = "/root/openstack-deploy";

/// What of `install.sh` the suite runs.
#[derive(Debug, PartialEq, Eq)]
pub struct InstallerLines {
    /// The lines that copy, make executable, enable and start the units.
    pub boot_units: Vec<String>,
    /// The last `ovs-vsctl add-port br-ex ...`, without the `docker exec`
    /// that runs it in Kolla's container.
    pub add_port: String,
}

/// The seed's `upstream/` directory (`AIO_SEED_DIR`, by default
/// `/work/shared/seed/upstream`).
pub fn upstream() -> Result<PathBuf, String> {
    aio_sandbox::seed::upstream().ok_or_else(|| {
        "the seed's scripts are not at hand (set AIO_SEED_DIR to its upstream/ directory)".into()
    })
}

/// Reads `install.sh` from the seed.
pub fn lines(upstream: &Path) -> Result<InstallerLines, String> {
    let path = upstream.join("install.sh");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&text).map_err(|why| format!("{}: {why}", path.display()))
}

/// The boot-unit lines and the last `add-port` of an `install.sh`.
pub fn parse(text: &str) -> Result<InstallerLines, String> {
    let boot_units: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| {
            line.starts_with("sudo cp ./scripts/")
                || line.starts_with("sudo chmod +x /usr/local/bin/")
                || line.starts_with("sudo systemctl ")
        })
        .map(String::from)
        .collect();
    for unit in UNITS {
        if !boot_units
            .iter()
            .any(|l| l.contains("systemctl enable") && l.contains(unit))
        {
            return Err(format!("no `sudo systemctl enable {unit}` line"));
        }
    }
    let add_port = text
        .lines()
        .rev()
        .find_map(|line| {
            let at = line.find("ovs-vsctl add-port br-ex")?;
            Some(line[at..].trim().to_string())
        })
        .ok_or("no `ovs-vsctl add-port br-ex` line")?;
    Ok(InstallerLines {
        boot_units,
        add_port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTALL: &str = "\
echo -e \"${GREEN} create fake interface ${ENDCOLOR}\"
sudo cp ./scripts/setup-interfaces.sh       /usr/local/bin/setup-interfaces.sh
sudo chmod +x /usr/local/bin/setup-interfaces.sh
sudo cp ./scripts/setup-interfaces.service  /etc/systemd/system/setup-interfaces.service
sudo systemctl daemon-reload
sudo systemctl enable setup-interfaces.service
sudo systemctl start  setup-interfaces.service
sudo cp ./scripts/veth-lbaas.sh       /usr/local/bin/veth-lbaas.sh
sudo systemctl enable veth-lbaas.service
sudo apt install ipcalc -y
pip install docker
sudo docker exec openvswitch_vswitchd ovs-vsctl add-port br-ex v-lbaas-vlan tag=1718
";

    #[test]
    fn only_the_boot_unit_lines_and_the_last_add_port_are_taken() {
        let lines = parse(INSTALL).unwrap();
        assert_eq!(lines.boot_units.len(), 8, "{:?}", lines.boot_units);
        assert!(lines.boot_units.iter().all(|l| !l.contains("apt")));
        assert_eq!(
            lines.add_port,
            "ovs-vsctl add-port br-ex v-lbaas-vlan tag=1718"
        );
    }

    #[test]
    fn an_installer_that_does_not_enable_both_units_is_refused() {
        let without = INSTALL.replace("sudo systemctl enable veth-lbaas.service\n", "");
        let refused = parse(&without).unwrap_err();
        assert!(refused.contains("veth-lbaas.service"), "{refused}");
    }

    #[test]
    fn the_seeds_own_installer_enables_both_units_and_adds_the_port() {
        let Some(upstream) = aio_sandbox::seed::upstream() else {
            return;
        };
        let lines = lines(&upstream).unwrap();
        assert!(lines.add_port.contains("tag=1718"), "{lines:?}");
        for script in SCRIPTS {
            assert!(
                lines.boot_units.iter().any(|l| l.contains(script)),
                "{script} is not copied by {lines:?}"
            );
        }
    }
}
