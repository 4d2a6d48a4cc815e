//! The seed suite: a host built by the seed's own installer, adopted by
//! aio. Its boot units and scripts are installed in the VM by the
//! installer's own lines (read from the seed at run time, see
//! [`installer`]); real boots run them; `aio adopt` takes the host over and
//! disables them; after the next real boot aio alone has made the
//! plumbing: one masquerade rule, and nothing left to plan.

mod boot;
mod installer;

use std::path::Path;

use aio_vm::{Lab, LabNet, Ssh, Vm};

use super::common::{BOOT_DEADLINE, Run};
use super::masquerade::{self, AIO_TABLE};
use super::remote::{
    Proof, install_package, must, plan_is_empty, said, wait_active, write_topology,
};
use super::report::Report;
use super::topology;
use boot::{Outcome, SEED_LINKS, SeedBoot, seed_units_ran, wait_for_seed_units};
use installer::{CHECKOUT, InstallerLines, SCRIPTS, UNITS};

/// How long aio.service may take to become active once SSH answers.
const ACTIVE_DEADLINE_S: u32 = 300;

/// Boots the suite's VM in a lab of its own and runs every proof. The VM
/// is dropped (its QEMU killed) before the lab (the namespace deleted).
pub fn prove(run: &Run, report: &mut Report) -> Result<(), String> {
    let upstream = installer::upstream()?;
    let lines = installer::lines(&upstream)?;
    let lab = Lab::create("seed", LabNet::MANAGEMENT).map_err(|e| e.to_string())?;
    let mut vm = run.boot(&lab, &run.spec(0))?;
    println!("  the seed from {}", upstream.display());
    let seed = Seed {
        upstream: &upstream,
        lines: &lines,
    };
    all(&mut vm, &run.deb, &seed, report)
}

/// What the suite takes from the seed.
struct Seed<'a> {
    upstream: &'a Path,
    lines: &'a InstallerLines,
}

fn all(vm: &mut Vm, deb: &Path, seed: &Seed, report: &mut Report) -> Result<(), String> {
    report.check("the seed's VM boots and answers SSH", || {
        let took = vm.wait_for_ssh(BOOT_DEADLINE).map_err(|e| e.to_string())?;
        Ok(((), format!("SSH after {:.1} s", took.as_secs_f64())))
    })?;
    report.check("the Debian package installs with apt-get", || {
        install_package(vm.ssh(), deb)
    })?;
    report.check(
        "the seed's installer installs, enables and starts its boot units",
        || install_seed(vm.ssh(), seed),
    )?;
    let mut boots = Vec::new();
    for boot in 1..=2 {
        let found = report.check(&format!("real boot {boot} runs the seed's units"), || {
            let took = vm.reboot(BOOT_DEADLINE).map_err(|e| e.to_string())?;
            let found = seed_units_ran(vm.ssh())?;
            let detail = format!(
                "reboot cycle {:.1} s; {}; masquerade rules for {}: {}",
                took.as_secs_f64(),
                found.outcome,
                topology::NAT_SOURCE,
                found.rules
            );
            Ok((found, detail))
        })?;
        boots.push(found);
    }
    report.check(
        "the seed's interface script run again appends a masquerade rule each time",
        || duplicate(vm.ssh(), &boots),
    )?;
    report.check(
        "aio adopt --yes takes the host over and disables the seed's units",
        || adopt(vm.ssh()),
    )?;
    report.check("aio service install enables aio.service", || {
        service_install(vm.ssh())
    })?;
    report.check(
        "a real boot after the adoption: aio alone makes the plumbing",
        || {
            let took = vm.reboot(BOOT_DEADLINE).map_err(|e| e.to_string())?;
            let detail = adopted_boot(vm.ssh())?;
            Ok((
                (),
                format!("reboot cycle {:.1} s; {detail}", took.as_secs_f64()),
            ))
        },
    )?;
    Ok(())
}

/// Copies the seed's scripts into a checkout laid out as the installer's
/// (`./scripts/NAME`), runs the installer's own lines for them, makes
/// `br-ex` as Kolla's openvswitch role does and runs the installer's last
/// line, `ovs-vsctl add-port br-ex v-lbaas-vlan tag=1718`.
fn install_seed(ssh: &Ssh, seed: &Seed) -> Proof<()> {
    // sudo looks up the host's own name: Debian's installer puts it in
    // /etc/hosts, the image does not, and its resolver is not reachable
    // from the lab, so each sudo would wait for DNS timeouts.
    must(
        ssh,
        "grep -qw \"$(hostname)\" /etc/hosts || echo \"127.0.1.1 $(hostname)\" >> /etc/hosts",
    )?;
    must(ssh, &format!("mkdir -p {CHECKOUT}/scripts"))?;
    for name in SCRIPTS {
        ssh.copy(
            &seed.upstream.join(format!("scripts_{name}")),
            &format!("{CHECKOUT}/scripts/{name}"),
        )
        .map_err(|e| e.to_string())?;
    }
    must(
        ssh,
        &format!(
            "set -e\ncd {CHECKOUT}\n{}",
            seed.lines.boot_units.join("\n")
        ),
    )?;
    // veth-lbaas.service is a simple service: its script may still run.
    let outcome = wait_for_seed_units(ssh)?;
    if outcome != Outcome::Appended {
        return Err(format!(
            "the installer's start of setup-interfaces.service: {outcome}"
        ));
    }
    // Kolla's openvswitch role: br-ex, with neutron_external_interface.
    must(
        ssh,
        "ovs-vsctl --timeout=30 --may-exist add-br br-ex -- --may-exist add-port br-ex veth-ovs",
    )?;
    must(
        ssh,
        &format!(
            "ovs-vsctl --timeout=30 {}",
            seed.lines.add_port.trim_start_matches("ovs-vsctl ")
        ),
    )?;
    for unit in UNITS {
        let enabled = must(ssh, &format!("systemctl is-enabled {unit}"))
            .map_err(|e| format!("{unit} is not enabled after the installer's lines: {e}"))?;
        if enabled != "enabled" {
            return Err(format!("{unit} is {enabled}, not enabled"));
        }
    }
    let ran = seed_units_ran(ssh)?.rules;
    Ok((
        (),
        format!(
            "{} lines of install.sh run; both units enabled; {} and br-ex made; masquerade rules: {ran}",
            seed.lines.boot_units.len() + 1,
            SEED_LINKS.join(", ")
        ),
    ))
}

/// The seed's way to bring back a lost link (or its rule, after a boot
/// that lost the race for the default route) is to run its script again:
/// `ip link add` fails for what exists, `iptables -A` appends anyway. Run
/// until there are two rules, one more each time: the host aio adopts has
/// a duplicate.
fn duplicate(ssh: &Ssh, boots: &[SeedBoot]) -> Proof<()> {
    let shown: Vec<String> = boots.iter().map(|b| b.rules.to_string()).collect();
    let mut rules = boots.last().map_or(0, |b| b.rules.total());
    let mut runs = 0;
    while rules < 2 {
        must(
            ssh,
            "ip link del veth-ovs && systemctl restart setup-interfaces.service",
        )?;
        must(ssh, "ip link show veth-ovs")
            .map_err(|_| "the seed's script run again did not make veth-ovs again".to_string())?;
        let found = masquerade::count(ssh, topology::NAT_SOURCE)?;
        if found.total() != rules + 1 {
            return Err(format!(
                "{found} masquerade rules for {} after the script ran again, not {} (one more than before)",
                topology::NAT_SOURCE,
                rules + 1
            ));
        }
        rules = found.total();
        runs += 1;
    }
    let found = masquerade::count(ssh, topology::NAT_SOURCE)?;
    Ok((
        (),
        format!(
            "after each boot: {}; after the script ran {runs} more time(s): {found}",
            shown.join("; ")
        ),
    ))
}

/// `aio adopt --yes` on the reference's plumbing: exit 0, the seed's two
/// units disabled as systemd sees them, their rules replaced by aio's one.
fn adopt(ssh: &Ssh) -> Proof<()> {
    write_topology(ssh, topology::PATH, &topology::plumbing())?;
    let out = ssh
        .exec(&format!(
            "aio adopt --yes -f {} --color never",
            topology::PATH
        ))
        .map_err(|e| e.to_string())?;
    let shown = said(&out);
    if !out.status.success() {
        return Err(format!(
            "aio adopt exited {:?}, not 0:\n{shown}",
            out.status.code()
        ));
    }
    // The two rules of the seed: one becomes aio's, one is a duplicate.
    for said in ["taken over by nat/", "duplicate of nat/"] {
        let times = shown.matches(said).count();
        if times != 1 {
            return Err(format!(
                "aio adopt said `{said}` {times} times, not once for the seed's two rules:\n{shown}"
            ));
        }
    }
    for unit in UNITS {
        if !shown.contains(&format!("boot unit {unit} (to disable)")) {
            return Err(format!(
                "aio adopt did not say it disables {unit}:\n{shown}"
            ));
        }
        let state = is_enabled(ssh, unit)?;
        if state != "disabled" {
            return Err(format!(
                "systemctl is-enabled {unit} says {state}, not disabled, after aio adopt"
            ));
        }
    }
    let found = masquerade::count(ssh, topology::NAT_SOURCE)?;
    if !found.only_aios() {
        return Err(format!(
            "after aio adopt {found} masquerade rules for {}, not exactly 1 in table {AIO_TABLE}:\n{shown}",
            topology::NAT_SOURCE
        ));
    }
    Ok((
        (),
        format!(
            "exit 0; {} disabled (systemctl is-enabled); masquerade rules: {found}",
            UNITS.join(" and ")
        ),
    ))
}

/// What `systemctl is-enabled` says of `unit` (it exits 1 when disabled).
fn is_enabled(ssh: &Ssh, unit: &str) -> Result<String, String> {
    let out = ssh
        .exec(&format!("systemctl is-enabled {unit}"))
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `aio service install`, the migration's last step: aio.service enabled.
fn service_install(ssh: &Ssh) -> Proof<()> {
    let by_adopt = is_enabled(ssh, "aio.service")?;
    must(ssh, &format!("aio service install -f {}", topology::PATH))?;
    let enabled = is_enabled(ssh, "aio.service")?;
    if enabled != "enabled" {
        return Err(format!("aio.service is {enabled}, not enabled"));
    }
    Ok(((), format!("enabled (after aio adopt it was {by_adopt})")))
}

/// After the boot that follows the adoption: aio.service active, the
/// seed's units neither enabled nor run, one masquerade rule (aio's),
/// `aio plan --detailed-exitcode` exits 0.
fn adopted_boot(ssh: &Ssh) -> Result<String, String> {
    let active = wait_active(ssh, ACTIVE_DEADLINE_S)?;
    for unit in UNITS {
        let out = ssh
            .exec(&format!("systemctl is-active {unit}"))
            .map_err(|e| e.to_string())?;
        let state = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if state != "inactive" {
            return Err(format!(
                "{unit} is {state}, not inactive, after the adoption's reboot"
            ));
        }
        // A simple service that ran and exited is inactive too: it must
        // not have started at all in this boot.
        let started = must(
            ssh,
            &format!("systemctl show -p ExecMainStartTimestamp --value {unit}"),
        )?;
        if !started.is_empty() {
            return Err(format!(
                "{unit} is disabled but started in the adoption's boot at {started}"
            ));
        }
    }
    let found = masquerade::count(ssh, topology::NAT_SOURCE)?;
    if !found.only_aios() {
        return Err(format!(
            "{found} masquerade rules for {}, not exactly 1 in table {AIO_TABLE}",
            topology::NAT_SOURCE
        ));
    }
    plan_is_empty(ssh, topology::PATH)?;
    Ok(format!(
        "aio.service active about {active} s after SSH answered; {} never started; masquerade rules: {found}; plan exits 0",
        UNITS.join(" and ")
    ))
}
