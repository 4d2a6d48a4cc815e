//! The proofs inside one VM, each a shell script run over SSH whose
//! outcome is checked here.

use std::path::Path;
use std::time::Duration;

use aio_vm::{Ssh, Vm};

use super::report::Report;
use super::topology;

/// How long TCG may take to boot or reboot a VM to SSH.
const BOOT_DEADLINE: Duration = Duration::from_secs(300);
/// How long aio.service may take to report its first pass.
const ACTIVE_DEADLINE_S: u32 = 180;
/// How long a deleted veth may take to come back.
const REPAIR_DEADLINE_S: u32 = 60;

type Proof<T> = Result<(T, String), String>;

fn said(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
    .trim()
    .to_string()
}

/// Runs `script`, which must exit 0; its stdout.
fn must(ssh: &Ssh, script: &str) -> Result<String, String> {
    let out = ssh.exec(script).map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(format!(
            "`{script}` exited {}: {}",
            out.status.code().unwrap_or(-1),
            said(&out)
        ))
    }
}

pub fn all(vm: &mut Vm, deb: &Path, report: &mut Report) -> Result<(), String> {
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
        install(vm.ssh(), deb)
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

fn install(ssh: &Ssh, deb: &Path) -> Proof<()> {
    let name = deb
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or("the package has no file name")?;
    ssh.copy(deb, &format!("/root/{name}"))
        .map_err(|e| e.to_string())?;
    must(
        ssh,
        &format!("cd /root && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ./{name}"),
    )?;
    for file in [
        "/usr/bin/aio",
        "/usr/share/man/man1/aio.1.gz",
        "/usr/share/bash-completion/completions/aio",
        "/usr/share/zsh/vendor-completions/_aio",
        "/usr/share/fish/vendor_completions.d/aio.fish",
        "/usr/lib/systemd/system/aio.service",
    ] {
        must(ssh, &format!("test -f {file}")).map_err(|_| format!("{file} is not installed"))?;
    }
    let version = must(ssh, "aio --version")?;
    let first = version.lines().next().unwrap_or_default().to_string();
    Ok((
        (),
        format!("{first}; man page, completions and unit present"),
    ))
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
    plan_is_empty(ssh)?;
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
    plan_is_empty(ssh).map_err(|e| format!("after the repair {e}"))?;
    Ok((
        (),
        format!(
            "{} back on {} after {ms} ms; plan exits 0 again",
            topology::VETH,
            topology::BRIDGE
        ),
    ))
}

/// `aio plan --detailed-exitcode` exits 0: nothing to change.
fn plan_is_empty(ssh: &Ssh) -> Result<(), String> {
    let out = ssh
        .exec(&format!(
            "aio plan -f {} --detailed-exitcode --color never",
            topology::PATH
        ))
        .map_err(|e| e.to_string())?;
    match out.status.code() {
        Some(0) => Ok(()),
        code => Err(format!(
            "aio plan --detailed-exitcode exited {code:?}, not 0:\n{}",
            said(&out)
        )),
    }
}
