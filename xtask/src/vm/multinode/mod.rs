//! The multinode suite: three VMs converged by the Ansible collection
//! (`aio.host.plumbing`, which renders each host's topology from its
//! `host_vars` and runs the `aio.host.topology` module) over real SSH, from
//! `ansible-playbook` of the kolla venv inside the lab's namespace. Each VM
//! gets a small topology of its own (a bridge with an address and a veth
//! pair into it, named after the VM), so that what one VM shows is told
//! apart from the others.
//!
//! aio gets onto the VMs the way the role installs it (`aio_binary_src`):
//! the binary is taken out of the Debian package on this side and the
//! playbook copies it, so that the role's install task is proven over real
//! SSH too (the host suite proves `apt-get install` of the package).
//! `aio.service` is not installed, so that drift stays until a playbook
//! repairs it.

mod ansible;
mod checks;
mod inventory;

use aio_vm::{Lab, LabNet, Ssh, Vm, VmSpec};

use super::common::{BOOT_DEADLINE, Run};
use super::report::Report;
use ansible::Playbook;
use checks::{drift_checked, first_run, powered_off, second_run};
use inventory::{DRIFTED, POWERED_OFF, VMS, host, inventory, unpacked};

/// One CPU and 1 GiB each: three VMs share this machine's two cores.
const CPUS: u8 = 1;
const MEMORY_MIB: u32 = 1024;

/// The playbook: the collection's role on every host, no fact gathering
/// (it costs seconds under TCG and the role needs none).
const PLAYBOOK: &str = "---
- name: Host plumbing
  hosts: all
  gather_facts: false
  roles:
    - role: aio.host.plumbing
";

/// Boots the three VMs in a lab of their own and runs every proof. The
/// VMs are dropped (their QEMU killed) before the lab (the namespace
/// deleted): `vms` is declared after `lab`.
pub fn prove(run: &Run, report: &mut Report) -> Result<(), String> {
    let lab = Lab::create("multinode", LabNet::MANAGEMENT).map_err(|e| e.to_string())?;
    let mut vms: Vec<Option<Vm>> = Vec::new();
    for index in 0..VMS {
        let spec = VmSpec {
            cpus: CPUS,
            memory_mib: MEMORY_MIB,
            ..run.spec(index)
        };
        vms.push(Some(run.boot(&lab, &spec)?));
    }
    let dir = run.dir.join("ansible");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let aio = unpacked(&run.deb, &dir)?;
    let playbook = Playbook::write(
        &dir,
        &inventory(lab.net(), &run.key.private, &aio),
        PLAYBOOK,
    )?;
    all(&lab, &mut vms, &playbook, report)
}

fn all(
    lab: &Lab,
    vms: &mut [Option<Vm>],
    playbook: &Playbook,
    report: &mut Report,
) -> Result<(), String> {
    report.check("three VMs boot and answer SSH", || {
        let mut took = Vec::new();
        for (index, vm) in (0..VMS).zip(vms.iter_mut()) {
            let vm = vm.as_mut().ok_or("a VM is missing")?;
            let t = vm
                .wait_for_ssh(BOOT_DEADLINE)
                .map_err(|e| format!("{}: {e}", host(index)))?;
            took.push(format!("{} {:.1} s", host(index), t.as_secs_f64()));
        }
        Ok(((), format!("SSH answered: {}", took.join(", "))))
    })?;
    let all_ssh: Vec<Ssh> = vms.iter().flatten().map(|vm| vm.ssh().clone()).collect();
    report.check(
        "the first run changes all three VMs, and each converges",
        || first_run(lab, playbook, &all_ssh),
    )?;
    report.check("a second run changes nothing", || second_run(lab, playbook))?;
    let drifted = &all_ssh[usize::from(DRIFTED)];
    report.check(
        &format!(
            "drift on {} only: --check --diff shows it and changes nothing",
            host(DRIFTED)
        ),
        || drift_checked(lab, playbook, drifted),
    )?;
    report.check(
        &format!(
            "{} powered off: the playbook still converges the others",
            host(POWERED_OFF)
        ),
        || {
            // Dropping the VM kills its QEMU: a hard power-off.
            drop(vms[usize::from(POWERED_OFF)].take());
            powered_off(lab, playbook, &all_ssh)
        },
    )?;
    Ok(())
}
