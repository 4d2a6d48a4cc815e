//! The refusal suite: a VM whose uplink is on 10.0.2.0/24 (QEMU's and
//! VirtualBox's default NAT network), the network the reference gives to
//! `dummy1`. `aio service install` must refuse the reference with the
//! located error and install nothing, and the VM must keep its network.

use aio_vm::{Lab, LabNet, Ssh};

use super::common::{BOOT_DEADLINE, Run};
use super::remote::{Proof, install_package, must, said, wait_settled, write_topology};
use super::report::Report;
use super::topology::{self, BRIDGE, NAT_SOURCE, PATH};

pub fn prove(run: &Run, report: &mut Report) -> Result<(), String> {
    let lab = Lab::create("refusal", LabNet::QEMU_USER).map_err(|e| e.to_string())?;
    let mut vm = run.boot(&lab, &run.spec(0))?;
    let address = lab.address(0);
    report.check("a VM with its uplink on 10.0.2.0/24 answers SSH", || {
        let took = vm.wait_for_ssh(BOOT_DEADLINE).map_err(|e| e.to_string())?;
        Ok((
            (),
            format!("{address}, SSH after {:.1} s", took.as_secs_f64()),
        ))
    })?;
    report.check("the Debian package installs with apt-get", || {
        install_package(vm.ssh(), &run.deb)
    })?;
    // Docker makes docker0 when its unit starts, which under emulation can
    // be after SSH and apt: the baseline waits for the boot to be over.
    wait_settled(vm.ssh())?;
    let before = network(vm.ssh())?;
    report.check(
        "aio service install refuses the reference there, with the located error",
        || refused(vm.ssh()),
    )?;
    report.check("the VM keeps its network and gains no link", || {
        let after = network(vm.ssh())?;
        if after != before {
            return Err(format!(
                "the VM's addresses or routes changed:\nbefore:\n{before}\nafter:\n{after}"
            ));
        }
        must(vm.ssh(), &format!("! ip link show {BRIDGE} 2>/dev/null"))
            .map_err(|_| format!("{BRIDGE} was created"))?;
        Ok(((), "addresses and routes as before, SSH answers".into()))
    })?;
    Ok(())
}

/// The VM's addresses and routes, to compare before and after.
fn network(ssh: &Ssh) -> Result<String, String> {
    must(ssh, "ip -4 -o addr show scope global; ip -4 route show")
}

fn refused(ssh: &Ssh) -> Proof<()> {
    write_topology(ssh, PATH, &topology::plumbing())?;
    let out = ssh
        .exec(&format!("aio service install -f {PATH}"))
        .map_err(|e| e.to_string())?;
    let text = said(&out);
    if out.status.success() {
        return Err(format!("aio service install succeeded:\n{text}"));
    }
    let located = text
        .lines()
        .find(|line| line.starts_with(&format!("{PATH}:")) && line.contains("error"))
        .ok_or_else(|| format!("no located error ({PATH}:LINE:COL) in:\n{text}"))?;
    // The clash itself, not any error: dummy1's network is the uplink's.
    let network = NAT_SOURCE.trim_end_matches(".0/24");
    if !(located.contains(BRIDGE) && located.contains(network)) {
        return Err(format!(
            "the located error is not about {BRIDGE} on {NAT_SOURCE}: {located}"
        ));
    }
    if !text.contains("aio.service was not installed") {
        return Err(format!(
            "it does not say the unit was not installed:\n{text}"
        ));
    }
    let unit = ssh
        .exec(
            "test -e /etc/systemd/system/aio.service.d/topology.conf || \
             test -e /etc/systemd/system/aio.service || systemctl is-enabled aio.service",
        )
        .map_err(|e| e.to_string())?;
    if unit.status.success() {
        return Err(
            "aio.service (its drop-in or the unit) is installed or enabled all the same".into(),
        );
    }
    Ok(((), located.to_string()))
}
