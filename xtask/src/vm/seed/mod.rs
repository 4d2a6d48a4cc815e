//! The seed suite: a host built by the seed's own installer, adopted by
//! aio. Its boot units and scripts are installed in the VM by the
//! installer's own lines (read from the seed at run time, see
//! [`installer`]); real boots run them; `aio adopt` takes the host over and
//! disables them; after the next real boot aio alone has made the
//! plumbing: one masquerade rule, and nothing left to plan.

mod installer;
mod masquerade;

use std::path::Path;
use std::time::Duration;

use aio_vm::{Lab, LabNet, Ssh, Vm, VmSpec};

use super::Run;
use super::remote::{Proof, install_package, must, plan_is_empty, said};
use super::report::Report;
use super::topology;
use installer::{CHECKOUT, InstallerLines, SCRIPTS, UNITS};
use masquerade::Masquerades;

/// How long TCG may take to boot or reboot a VM to SSH.
const BOOT_DEADLINE: Duration = Duration::from_secs(300);
/// How long the seed's units, or aio.service, may take once SSH answers.
const UNITS_DEADLINE_S: u32 = 180;
/// The seed's Octavia link and its address: made by `veth-lbaas.sh`.
const LBAAS: &str = "v-lbaas";
const LBAAS_ADDRESS: &str = "172.18.255.254/16";
/// The links the seed's scripts make.
const SEED_LINKS: [&str; 5] = ["dummy1", "veth-ovs", "veth-br", "v-lbaas-vlan", LBAAS];
/// The table aio keeps its masquerade rules in.
const AIO_TABLE: &str = "ip aio";

/// Boots the suite's VM in a lab of its own and runs every proof. The VM
/// is dropped (its QEMU killed) before the lab (the namespace deleted).
pub fn prove(run: &Run, report: &mut Report) -> Result<(), String> {
    let upstream = installer::upstream()?;
    let lines = installer::lines(&upstream)?;
    let sudo = installer::sudo_package(&run.dir)?;
    let lab = Lab::create("seed", LabNet::MANAGEMENT).map_err(|e| e.to_string())?;
    let spec = VmSpec::new(0).with_accel(run.accel);
    let mut vm =
        Vm::boot(&run.image, &lab, &run.key, &run.dir, &spec).map_err(|e| e.to_string())?;
    println!(
        "  booting {} (qemu pid {}, {:?}) in namespace {}; the seed from {}",
        vm.overlay().display(),
        vm.pid(),
        run.accel,
        lab.name(),
        upstream.display()
    );
    let seed = Seed {
        upstream: &upstream,
        lines: &lines,
        sudo: &sudo,
    };
    all(&mut vm, &run.deb, &seed, report)
}

/// What the suite takes from the seed, and the package its scripts need.
struct Seed<'a> {
    upstream: &'a Path,
    lines: &'a InstallerLines,
    /// Debian's `sudo`, which the seed's scripts call and the image lacks.
    sudo: &'a Path,
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
    let mut after_boots = Vec::new();
    for boot in 1..=2 {
        let found = report.check(&format!("real boot {boot} runs the seed's units"), || {
            let took = vm.reboot(BOOT_DEADLINE).map_err(|e| e.to_string())?;
            let found = seed_units_ran(vm.ssh())?;
            // The kernel forgets the last boot's rules: `iptables -A` at
            // boot adds one to none. More would mean something restores
            // them (iptables-persistent), which the seed never installs.
            if found.total() != 1 {
                return Err(format!(
                    "{found} masquerade rules for {} after the boot, not the 1 that setup-interfaces.sh appends to a fresh kernel's none",
                    topology::NAT_SOURCE
                ));
            }
            let detail = format!(
                "reboot cycle {:.1} s; masquerade rules for {}: {found}",
                took.as_secs_f64(),
                topology::NAT_SOURCE
            );
            Ok((found, detail))
        })?;
        after_boots.push(found);
    }
    report.check(
        "the seed's interface script run again appends a duplicate masquerade rule",
        || duplicate(vm.ssh(), &after_boots),
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
    let sudo = seed
        .sudo
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or("the sudo package has no file name")?;
    // sudo looks up the host's own name: Debian's installer puts it in
    // /etc/hosts, the image does not, and its resolver is not reachable
    // from the lab, so each sudo would wait for DNS timeouts.
    must(
        ssh,
        "grep -qw \"$(hostname)\" /etc/hosts || echo \"127.0.1.1 $(hostname)\" >> /etc/hosts",
    )?;
    ssh.copy(seed.sudo, &format!("/root/{sudo}"))
        .map_err(|e| e.to_string())?;
    must(ssh, &format!("dpkg -i /root/{sudo}")).map_err(|e| {
        format!("Debian's sudo, which the seed's scripts call, did not install: {e}")
    })?;
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
    wait_for_seed_units(ssh)?;
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
    let ran = seed_units_ran(ssh)?;
    if ran.total() != 1 {
        return Err(format!(
            "the installer's start of setup-interfaces.service left {ran} masquerade rules for {}, not 1",
            topology::NAT_SOURCE
        ));
    }
    Ok((
        (),
        format!(
            "{} lines of install.sh run; both units enabled; {} and br-ex made; masquerade rules: {ran}",
            seed.lines.boot_units.len() + 1,
            SEED_LINKS.join(", ")
        ),
    ))
}

/// Polls until both of the seed's units have run: `setup-interfaces` is
/// active (a oneshot that remains), `veth-lbaas` (a simple service) has
/// exited; both succeeded.
fn wait_for_seed_units(ssh: &Ssh) -> Result<(), String> {
    must(
        ssh,
        &format!(
            "for i in $(seq {UNITS_DEADLINE_S}); do \
               [ \"$(systemctl is-active setup-interfaces.service)\" = active ] && \
               [ \"$(systemctl show -p ExecMainExitTimestampMonotonic --value veth-lbaas.service)\" != 0 ] && exit 0; \
               sleep 1; done; \
             systemctl status --no-pager setup-interfaces.service veth-lbaas.service; exit 1"
        ),
    )
    .map_err(|e| format!("the seed's units did not both run within {UNITS_DEADLINE_S} s: {e}"))?;
    let results = must(
        ssh,
        "systemctl show -p Result --value setup-interfaces.service veth-lbaas.service",
    )?;
    let results: Vec<&str> = results.split_whitespace().collect();
    if results != ["success", "success"] {
        return Err(format!(
            "the seed's units did not both succeed (Result: {}):\n{}",
            results.join(", "),
            must(
                ssh,
                "journalctl -b -u setup-interfaces -u veth-lbaas --no-pager -n 30"
            )
            .unwrap_or_default()
        ));
    }
    Ok(())
}

/// After a boot with the seed's units enabled: both ran and succeeded,
/// their links are there; the masquerade rules found.
fn seed_units_ran(ssh: &Ssh) -> Result<Masquerades, String> {
    wait_for_seed_units(ssh)?;
    for link in SEED_LINKS {
        must(ssh, &format!("ip link show {link}"))
            .map_err(|_| format!("{link}, which the seed's scripts make, is missing"))?;
    }
    let address = must(ssh, &format!("ip -o addr show dev {LBAAS}"))?;
    if !address.contains(&format!(" {LBAAS_ADDRESS} ")) {
        return Err(format!("{LBAAS} has not {LBAAS_ADDRESS}: {address}"));
    }
    masquerade::count(ssh, topology::NAT_SOURCE)
}

/// The seed's way to bring back a lost link is to run its script again:
/// `ip link add` fails for what exists, `iptables -A` appends anyway.
fn duplicate(ssh: &Ssh, after_boots: &[Masquerades]) -> Proof<()> {
    let boots: Vec<String> = after_boots.iter().map(ToString::to_string).collect();
    must(
        ssh,
        "ip link del veth-ovs && systemctl restart setup-interfaces.service",
    )?;
    must(ssh, "ip link show veth-ovs")
        .map_err(|_| "the seed's script run again did not make veth-ovs again".to_string())?;
    let found = masquerade::count(ssh, topology::NAT_SOURCE)?;
    let before = after_boots.last().map_or(0, Masquerades::total);
    if found.total() != before + 1 {
        return Err(format!(
            "{found} masquerade rules for {} after the script ran again, not {} (one more than the {before} the boot left)",
            topology::NAT_SOURCE,
            before + 1
        ));
    }
    Ok((
        (),
        format!(
            "after each boot: {}; after the script ran again: {found}",
            boots.join("; ")
        ),
    ))
}

/// `aio adopt --yes` on the reference's plumbing: exit 0, the seed's two
/// units disabled as systemd sees them, their rules replaced by aio's one.
fn adopt(ssh: &Ssh) -> Proof<()> {
    must(
        ssh,
        &format!(
            "mkdir -p /etc/aio && cat > {path} <<'TOPOLOGY'\n{text}TOPOLOGY",
            path = topology::PATH,
            text = topology::plumbing()
        ),
    )?;
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
    if found.total() != 1 || found.in_table(AIO_TABLE) != 1 {
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
    let active = must(
        ssh,
        &format!(
            "for i in $(seq {UNITS_DEADLINE_S}); do \
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
    }
    let found = masquerade::count(ssh, topology::NAT_SOURCE)?;
    if found.total() != 1 || found.in_table(AIO_TABLE) != 1 {
        return Err(format!(
            "{found} masquerade rules for {}, not exactly 1 in table {AIO_TABLE}",
            topology::NAT_SOURCE
        ));
    }
    plan_is_empty(ssh, topology::PATH)?;
    Ok(format!(
        "aio.service active about {active} s after SSH answered; {} inactive; masquerade rules: {found}; plan exits 0",
        UNITS.join(" and ")
    ))
}
