//! The storage suite: Cinder's NFS share, served by aio in real VMs.
//! vm0 serves `/mnt/nfs` through aio's drop-in to itself and vm1; vm1
//! mounts it and writes as root and as Cinder's uid; vm2, not a client,
//! is refused. Drift (the drop-in edited, `exportfs -u`) is planned and
//! repaired; after a real reboot of vm0 the export is back and the
//! client's mount answers; `aio destroy` unexports and keeps the data; a
//! seed-style `/etc/exports` (two duplicate lines open to every host,
//! remote root kept) is adopted into one restricted drop-in, the
//! operator's other line kept.

mod checks;

use aio_vm::{Lab, LabNet, Vm, VmSpec};

use super::common::{BOOT_DEADLINE, Run};
use super::remote::{install_package, reboot};
use super::report::Report;

/// One CPU and 1 GiB each: three VMs share this machine's two cores.
const CPUS: u8 = 1;
const MEMORY_MIB: u32 = 1024;
/// The server, the client and the host that is not a client.
const SERVER: u8 = 0;
const CLIENT: u8 = 1;
const STRANGER: u8 = 2;

pub fn prove(run: &Run, report: &mut Report) -> Result<(), String> {
    let lab = Lab::create("nfs", LabNet::MANAGEMENT).map_err(|e| e.to_string())?;
    let mut vms: Vec<Vm> = Vec::new();
    for index in [SERVER, CLIENT, STRANGER] {
        let spec = VmSpec {
            cpus: CPUS,
            memory_mib: MEMORY_MIB,
            ..run.spec(index)
        };
        vms.push(run.boot(&lab, &spec)?);
    }
    report.check("three VMs boot and answer SSH", || {
        let mut took = Vec::new();
        for (index, vm) in vms.iter_mut().enumerate() {
            let t = vm
                .wait_for_ssh(BOOT_DEADLINE)
                .map_err(|e| format!("vm{index}: {e}"))?;
            took.push(format!("vm{index} {:.1} s", t.as_secs_f64()));
        }
        Ok(((), format!("SSH answered: {}", took.join(", "))))
    })?;
    let [server, client, stranger] = &mut vms[..] else {
        return Err("three VMs were booted".into());
    };
    let hosts = checks::Hosts {
        server: lab.address(SERVER),
        client: lab.address(CLIENT),
    };
    report.check("the Debian package installs on the server", || {
        install_package(server.ssh(), &run.deb)
    })?;
    report.check(
        "aio apply exports /mnt/nfs to the server itself and the client only",
        || checks::exported(server.ssh(), &hosts),
    )?;
    report.check(
        "the client mounts it and writes as root and as Cinder's uid 42407",
        || checks::client_writes(client.ssh(), server.ssh(), &hosts),
    )?;
    report.check("a host that is not a client is refused", || {
        checks::refused(stranger.ssh(), &hosts)
    })?;
    report.check(
        "the drop-in edited by hand is drift: planned and repaired",
        || checks::edited_is_repaired(server.ssh()),
    )?;
    report.check("exportfs -u by hand is drift: planned and repaired", || {
        checks::unexported_is_repaired(server.ssh(), &hosts)
    })?;
    report.check("aio service install enables aio.service", || {
        checks::service(server.ssh())
    })?;
    report.check("a real reboot of the server brings SSH back", || {
        reboot(server)
    })?;
    report.check(
        "after the reboot the export is back and the client's mount answers",
        || checks::back_after_reboot(server.ssh(), client.ssh(), &hosts),
    )?;
    report.check(
        "aio destroy unexports and removes the drop-in, keeping the data",
        || checks::destroyed(server.ssh()),
    )?;
    report.check(
        "the seed's /etc/exports is adopted into one restricted drop-in",
        || checks::seed_adopted(server.ssh(), stranger.ssh(), &hosts),
    )?;
    Ok(())
}
