//! The host suite: one VM through the package, `aio service install`, two
//! real reboots (the first with Open vSwitch starting a minute late, as
//! Kolla's containers do), drift of every kind, and `aio doctor` against
//! each breakage it must name. Each proof is a shell script run over SSH
//! whose outcome is checked here.

mod doctor;
mod drift;
mod order;
mod ovs;

use aio_vm::{Lab, LabNet, Ssh, Vm};

use super::common::{BOOT_DEADLINE, Break, Run};
use super::masquerade::{self, AIO_TABLE};
use super::remote::{
    Proof, install_package, must, plan_is_empty, reboot, wait_active, write_topology,
};
use super::report::Report;
use super::topology::{self, NAT_SOURCE, OVS_PORT, OVS_TAG, PATH};
/// How long aio.service may take to report its first pass.
const ACTIVE_DEADLINE_S: u32 = 180;
/// How long the br-ex port may take once Open vSwitch starts with the host.
const PORT_DEADLINE_S: u32 = 120;

/// Boots the suite's VM in a lab of its own and runs every proof. The VM
/// is dropped (its QEMU killed) before the lab (the namespace deleted).
pub fn prove(run: &Run, report: &mut Report) -> Result<(), String> {
    let lab = Lab::create("host", LabNet::MANAGEMENT).map_err(|e| e.to_string())?;
    let mut vm = run.boot(&lab, &run.spec(0))?;
    proofs(&mut vm, run, report)
}

fn proofs(vm: &mut Vm, run: &Run, report: &mut Report) -> Result<(), String> {
    report.check("the VM boots and answers SSH", || {
        let took = vm.wait_for_ssh(BOOT_DEADLINE).map_err(|e| e.to_string())?;
        let kernel = must(vm.ssh(), "uname -r")?;
        // ip= on the kernel command line becomes a .network file for networkd.
        let generated = must(
            vm.ssh(),
            "grep -l '^Address=' /run/systemd/network/*.network",
        )
        .map_err(|e| format!("systemd-network-generator wrote no .network file from ip=: {e}"))?;
        Ok((
            (),
            format!(
                "kernel {kernel}, SSH after {:.1} s, ip= became {generated}",
                took.as_secs_f64()
            ),
        ))
    })?;
    report.check("the Debian package installs with apt-get", || {
        install_package(vm.ssh(), &run.deb)
    })?;
    report.check("aio service install enables aio.service", || {
        service_install(vm.ssh(), run.broken)
    })?;
    ovs::start_late(vm.ssh())?;
    report.check("a real reboot brings SSH back", || reboot(vm))?;
    report.check(
        "after the reboot aio.service is ready after its first pass and before docker.service",
        || ready_before_docker(vm.ssh()),
    )?;
    report.check(
        &format!(
            "Open vSwitch {} s after boot: the br-ex port follows within seconds, the wait logged once",
            ovs::LATE_S
        ),
        || ovs::port_follows_late_ovs(vm.ssh()),
    )?;
    report.check("the host is converged", || converged(vm.ssh()))?;
    for drift in drift::kinds() {
        report.check(&format!("drift repaired live: {}", drift.name), || {
            drift::repaired(vm.ssh(), &drift)
        })?;
    }
    ovs::start_with_the_host(vm.ssh())?;
    report.check("a second real reboot brings SSH back", || reboot(vm))?;
    report.check(
        "after the second reboot aio.service is ready before docker.service",
        || ready_before_docker(vm.ssh()),
    )?;
    report.check("the host is converged again", || {
        ovs::wait_for_port(vm.ssh(), PORT_DEADLINE_S)?;
        converged(vm.ssh())
    })?;
    report.check(
        "aio doctor passes the healthy VM and leaves it as it was",
        || doctor::healthy(vm.ssh()),
    )?;
    for breakage in doctor::breakages() {
        report.check(&format!("aio doctor names {}", breakage.what), || {
            doctor::named(vm.ssh(), &breakage)
        })?;
    }
    doctor::restore(vm.ssh())
}

/// Writes the topology and installs the unit. A [`Break`] changes the
/// design on purpose, so that the proof meant to catch it can be seen
/// failing.
fn service_install(ssh: &Ssh, broken: Option<Break>) -> Proof<()> {
    let text = match broken {
        Some(Break::NatOut) => {
            topology::plumbing().replace("out = \"${uplink}\"", "out = \"eth9\"")
        }
        _ => topology::plumbing(),
    };
    write_topology(ssh, PATH, &text)?;
    must(ssh, &format!("aio service install -f {PATH}"))?;
    if broken == Some(Break::UnitOrder) {
        // The packaged unit, or a whole unit an install wrote.
        must(
            ssh,
            "for unit in /usr/lib/systemd/system/aio.service /etc/systemd/system/aio.service; do \
               [ -f $unit ] && sed -i '/^Before=docker.service/d' $unit; done; \
             systemctl daemon-reload; \
             ! systemctl show -p Before --value aio.service | grep -q docker.service",
        )?;
    }
    let enabled = must(ssh, "systemctl is-enabled aio.service")?;
    if enabled != "enabled" {
        return Err(format!("aio.service is {enabled}, not enabled"));
    }
    Ok(((), "enabled".into()))
}

/// aio.service becomes active (`Type=notify`: after its first pass), and
/// docker.service began only after that.
fn ready_before_docker(ssh: &Ssh) -> Proof<()> {
    wait_active(ssh, ACTIVE_DEADLINE_S)?;
    let kind = must(ssh, "systemctl show -p Type --value aio.service")?;
    if kind != "notify" {
        return Err(format!(
            "aio.service is Type={kind}, not notify: active would not mean its first pass is done"
        ));
    }
    let aio = must(
        ssh,
        &format!("systemctl show -p {} aio.service", order::PROPERTIES),
    )?;
    // docker.service may still be starting: its start is what is compared.
    let docker = must(
        ssh,
        "systemctl show -p InactiveExitTimestampMonotonic docker.service",
    )?;
    let said = order::Boot::parse(&aio, &docker)?.ordered()?;
    let before = must(ssh, "systemctl show -p Before --value aio.service")?;
    order::names_docker(&before)?;
    Ok(((), said))
}

/// `plan` exits 0, one masquerade rule, forwarding on, the port on its tag.
fn converged(ssh: &Ssh) -> Proof<()> {
    plan_is_empty(ssh, PATH)?;
    let rules = masquerade::count(ssh, NAT_SOURCE)?;
    if !rules.only_aios() {
        return Err(format!(
            "masquerade rules for {NAT_SOURCE}: {rules}, not one in table {AIO_TABLE}"
        ));
    }
    let forward = must(ssh, "cat /proc/sys/net/ipv4/ip_forward")?;
    if forward != "1" {
        return Err(format!("ip_forward is {forward}, not 1"));
    }
    let tag = must(
        ssh,
        &format!("ovs-vsctl --timeout=5 get port {OVS_PORT} tag"),
    )?;
    if tag != OVS_TAG.to_string() {
        return Err(format!("{OVS_PORT} is on tag {tag}, not {OVS_TAG}"));
    }
    Ok((
        (),
        format!(
            "plan exits 0, masquerade rules: {rules}, ip_forward=1, {OVS_PORT} on tag {OVS_TAG}"
        ),
    ))
}
