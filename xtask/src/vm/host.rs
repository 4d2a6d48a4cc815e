//! The host suite: one VM through the package, `aio service install`, real
//! reboots and drift. Each proof is a shell script run over SSH whose
//! outcome is checked here.

use std::path::Path;
use std::time::Duration;

use aio_vm::{Lab, LabNet, Ssh, Vm, VmSpec};

use super::Run;
use super::remote::{Proof, install_package, must, plan_is_empty};
use super::report::Report;
use super::topology;

/// How long TCG may take to boot or reboot a VM to SSH.
const BOOT_DEADLINE: Duration = Duration::from_secs(300);
/// How long aio.service may take to report its first pass.
const ACTIVE_DEADLINE_S: u32 = 180;
/// How long a deleted veth may take to come back.
const REPAIR_DEADLINE_S: u32 = 60;

/// Boots the suite's VM in a lab of its own and runs every proof. The VM
/// is dropped (its QEMU killed) before the lab (the namespace deleted).
pub fn prove(run: &Run, report: &mut Report) -> Result<(), String> {
    let lab = Lab::create("host", LabNet::MANAGEMENT).map_err(|e| e.to_string())?;
    let mut vm = Vm::boot(&run.image, &lab, &run.key, &run.dir, &VmSpec::new(0))
        .map_err(|e| e.to_string())?;
    println!(
        "  booting {} (qemu pid {}, TCG) in namespace {}",
        vm.overlay().display(),
        vm.pid(),
        lab.name()
    );
    all(&mut vm, &run.deb, report)
}

fn all(vm: &mut Vm, deb: &Path, report: &mut Report) -> Result<(), String> {
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
        install_package(vm.ssh(), deb)
    })?;
    report.check("aio service install enables aio.service", || {
        service_install(vm.ssh())
    })?;
    report.check("a real reboot brings SSH back", || {
        let took = vm.reboot(BOOT_DEADLINE).map_err(|e| e.to_string())?;
        Ok(((), format!("reboot cycle {:.1} s", took.as_secs_f64())))
    })?;
    report.check(
        "after the reboot aio.service is active and converged",
        || converged(vm.ssh()),
    )?;
    report.check("a deleted veth comes back", || repaired(vm.ssh()))?;
    Ok(())
}

fn service_install(ssh: &Ssh) -> Proof<()> {
    must(
        ssh,
        &format!(
            "mkdir -p /etc/aio && cat > {path} <<'TOPOLOGY'\n{text}TOPOLOGY",
            path = topology::PATH,
            text = topology::TEXT
        ),
    )?;
    must(ssh, &format!("aio service install -f {}", topology::PATH))?;
    let enabled = must(ssh, "systemctl is-enabled aio.service")?;
    if enabled != "enabled" {
        return Err(format!("aio.service is {enabled}, not enabled"));
    }
    Ok(((), "enabled".into()))
}

fn converged(ssh: &Ssh) -> Proof<()> {
    let active = must(
        ssh,
        &format!(
            "for i in $(seq {ACTIVE_DEADLINE_S}); do \
               s=$(systemctl is-active aio.service); \
               [ \"$s\" = active ] && {{ echo \"$i\"; exit 0; }}; \
               [ \"$s\" = failed ] && break; \
               [ \"$(systemctl show -p NRestarts --value aio.service)\" != 0 ] && break; \
               sleep 1; done; \
             systemctl status --no-pager aio.service; \
             journalctl -b -u aio.service -n 20 --no-pager; exit 1"
        ),
    )
    .map_err(|e| format!("aio.service did not become active: {e}"))?;
    plan_is_empty(ssh, topology::PATH)?;
    let rules = must(ssh, "nft list table ip aio | grep -c masquerade || true")?;
    if rules != "1" {
        return Err(format!("{rules} masquerade rules in table ip aio, not 1"));
    }
    let forward = must(ssh, "cat /proc/sys/net/ipv4/ip_forward")?;
    if forward != "1" {
        return Err(format!("ip_forward is {forward}, not 1"));
    }
    Ok((
        (),
        format!(
            "active about {active} s after SSH answered; plan exits 0, one masquerade rule, ip_forward=1"
        ),
    ))
}

fn repaired(ssh: &Ssh) -> Proof<()> {
    let script = format!(
        "start=$(date +%s%N); ip link del {veth}; \
         while ! ip link show {veth} >/dev/null 2>&1 || \
               ! ip link show {veth}-br 2>/dev/null | grep -q 'master {bridge}'; do \
           [ $(( $(date +%s%N) - start )) -gt {REPAIR_DEADLINE_S}000000000 ] && exit 1; \
           sleep 0.02; done; \
         echo $(( ($(date +%s%N) - start) / 1000000 ))",
        veth = topology::VETH,
        bridge = topology::BRIDGE,
    );
    let ms = must(ssh, &script).map_err(|_| {
        format!(
            "{} was not back within {REPAIR_DEADLINE_S} s",
            topology::VETH
        )
    })?;
    plan_is_empty(ssh, topology::PATH).map_err(|e| format!("after the repair {e}"))?;
    Ok((
        (),
        format!(
            "{} back on {} after {ms} ms; plan exits 0 again",
            topology::VETH,
            topology::BRIDGE
        ),
    ))
}
