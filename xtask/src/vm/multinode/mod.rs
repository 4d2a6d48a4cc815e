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

use std::path::{Path, PathBuf};
use std::process::Command;

use aio_vm::{Lab, LabNet, Ssh, Vm, VmSpec};
use serde_json::{Value, json};

use super::common::{BOOT_DEADLINE, Run};
use super::remote::{Proof, must, plan_is_empty};
use super::report::Report;
use ansible::{Outcome, Playbook};

/// How many VMs the suite boots.
const VMS: u8 = 3;
/// One CPU and 1 GiB each: three VMs share this machine's two cores.
const CPUS: u8 = 1;
const MEMORY_MIB: u32 = 1024;
/// The VM whose veth the drift proof deletes.
const DRIFTED: u8 = 1;
/// The VM the last proof powers off.
const POWERED_OFF: u8 = 2;
/// Where the role writes each host's topology (`aio_topology_file`).
const TOPOLOGY_FILE: &str = "/etc/aio/topology.toml";
/// Where the package has aio; the role copies it from there.
const PACKAGED: &str = "usr/bin/aio";
/// Where the role installs aio on each VM (`aio_binary`).
const AIO: &str = "/usr/local/bin/aio";
/// `ansible-playbook`'s exit code when a host was unreachable.
const EXIT_UNREACHABLE: i32 = 4;

/// The playbook: the collection's role on every host, no fact gathering
/// (it costs seconds under TCG and the role needs none).
const PLAYBOOK: &str = "---
- name: Host plumbing
  hosts: all
  gather_facts: false
  roles:
    - role: aio.host.plumbing
";

/// What one VM's topology makes: a bridge with an address, a veth pair
/// whose peer is a port of the bridge, all named after the VM.
struct Plumbing {
    bridge: String,
    veth: String,
    peer: String,
    address: String,
}

impl Plumbing {
    fn of(index: u8) -> Self {
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
fn host(index: u8) -> String {
    format!("vm{index}")
}

fn hosts(indices: impl IntoIterator<Item = u8>) -> Vec<String> {
    indices.into_iter().map(host).collect()
}

/// Every VM by its lab address, root with the run's key, each with its
/// own topology; aio copied from `aio` on this side.
fn inventory(net: LabNet, key: &Path, aio: &Path) -> Value {
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

/// aio as the package has it, unpacked (`dpkg-deb -x`) under `dir`.
fn unpacked(deb: &Path, dir: &Path) -> Result<PathBuf, String> {
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
            super::remote::said(&out)
        ));
    }
    Ok(aio)
}

/// The run exited 0 and the recap counts a change on exactly `expected`.
fn changed_on(outcome: &Outcome, expected: &[String]) -> Result<(), String> {
    if outcome.code != Some(0) {
        return Err(format!("ansible-playbook failed: {outcome}"));
    }
    let changed = outcome.changed();
    if changed != expected {
        return Err(format!(
            "changed on {changed:?}, not {expected:?}; recap {}",
            outcome.recap()
        ));
    }
    Ok(())
}

/// Whether the module's result on `host` says it changed something.
fn module_changed(outcome: &Outcome, host: &str) -> Result<bool, String> {
    let result = outcome.converge(host)?;
    if result["failed"].as_bool() == Some(true) || result["unreachable"].as_bool() == Some(true) {
        return Err(format!(
            "the module on {host} did not run through: {result}"
        ));
    }
    Ok(result["changed"].as_bool() == Some(true))
}

/// VM `index` has its own bridge (with its address and the veth's peer
/// as a port) and nothing of the others', and `aio plan` exits 0.
fn own_plumbing(ssh: &Ssh, index: u8) -> Result<(), String> {
    let mine = Plumbing::of(index);
    let links = must(ssh, "ls /sys/class/net")?;
    let links: Vec<&str> = links.split_whitespace().collect();
    for link in [&mine.bridge, &mine.veth, &mine.peer] {
        if !links.contains(&link.as_str()) {
            return Err(format!("{} has no {link}: {links:?}", host(index)));
        }
    }
    if let Some(other) = (0..VMS)
        .filter(|&i| i != index)
        .map(|i| Plumbing::of(i).bridge)
        .find(|bridge| links.contains(&bridge.as_str()))
    {
        return Err(format!("{} has {other}, another VM's bridge", host(index)));
    }
    let address = must(ssh, &format!("ip -4 -o addr show dev {}", mine.bridge))?;
    if !address.contains(&mine.address) {
        return Err(format!(
            "{} of {} is not on it: {address}",
            mine.address,
            host(index)
        ));
    }
    let peer = must(ssh, &format!("ip -o link show dev {}", mine.peer))?;
    if !peer.contains(&format!("master {}", mine.bridge)) {
        return Err(format!(
            "{} is not a port of {} on {}: {peer}",
            mine.peer,
            mine.bridge,
            host(index)
        ));
    }
    plan_is_empty(ssh, TOPOLOGY_FILE).map_err(|e| format!("{}: {e}", host(index)))
}

fn first_run(lab: &Lab, playbook: &Playbook, sshes: &[Ssh]) -> Proof<()> {
    let outcome = playbook.run(lab, &[])?;
    let all = hosts(0..VMS);
    changed_on(&outcome, &all)?;
    for name in &all {
        if !module_changed(&outcome, name)? {
            return Err(format!(
                "aio.host.topology did not change {name}: {outcome}"
            ));
        }
    }
    let mut version = String::new();
    for (index, ssh) in (0..VMS).zip(sshes) {
        version = must(ssh, &format!("{AIO} --version"))
            .map_err(|e| format!("the role did not install aio on {}: {e}", host(index)))?;
        own_plumbing(ssh, index)?;
    }
    let version = version.lines().next().unwrap_or_default().to_string();
    Ok((
        (),
        format!(
            "ansible-playbook {:.1} s, changed on {}; the role installed {version} at {AIO}; each has its own bridge, veth and address, and aio plan exits 0",
            outcome.took.as_secs_f64(),
            all.join(", ")
        ),
    ))
}

fn second_run(lab: &Lab, playbook: &Playbook) -> Proof<()> {
    let outcome = playbook.run(lab, &[])?;
    changed_on(&outcome, &[])?;
    let all = hosts(0..VMS);
    for name in &all {
        if module_changed(&outcome, name)? {
            return Err(format!("aio.host.topology changed {name} again: {outcome}"));
        }
    }
    Ok((
        (),
        format!(
            "ansible-playbook {:.1} s, ok and unchanged on {}",
            outcome.took.as_secs_f64(),
            all.join(", ")
        ),
    ))
}

/// The headers of the diff the module returned on `host`, one per change.
fn diff_headers(outcome: &Outcome, host: &str) -> Result<Vec<String>, String> {
    let diff = &outcome.converge(host)?["diff"];
    Ok(diff
        .as_array()
        .map(|changes| {
            changes
                .iter()
                .filter_map(|change| change["after_header"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default())
}

fn drift_checked(lab: &Lab, playbook: &Playbook, drifted: &Ssh) -> Proof<()> {
    let veth = Plumbing::of(DRIFTED).veth;
    must(drifted, &format!("ip link del {veth}"))?;
    let outcome = playbook.run(lab, &["--check", "--diff"])?;
    changed_on(&outcome, &[host(DRIFTED)])?;
    let headers = diff_headers(&outcome, &host(DRIFTED))?;
    let wanted = format!("link/{veth} (create)");
    if !headers.contains(&wanted) {
        return Err(format!(
            "the diff on {} has no {wanted}: {headers:?}",
            host(DRIFTED)
        ));
    }
    for other in (0..VMS).filter(|&i| i != DRIFTED) {
        let theirs = diff_headers(&outcome, &host(other))?;
        if !theirs.is_empty() {
            return Err(format!(
                "the diff on {} is not empty: {theirs:?}",
                host(other)
            ));
        }
    }
    if must(drifted, &format!("ip link show dev {veth}")).is_ok() {
        return Err(format!("--check made {veth} again on {}", host(DRIFTED)));
    }
    let plan = drifted
        .exec(&format!(
            "{AIO} plan -f {TOPOLOGY_FILE} --detailed-exitcode --color never"
        ))
        .map_err(|e| e.to_string())?;
    if plan.status.code() != Some(2) {
        return Err(format!(
            "aio plan on {} exited {:?} after --check, not 2 (changes)",
            host(DRIFTED),
            plan.status.code()
        ));
    }
    Ok((
        (),
        format!(
            "ansible-playbook --check --diff {:.1} s: changed on {} only, diff {}; {veth} still missing",
            outcome.took.as_secs_f64(),
            host(DRIFTED),
            headers.join(", ")
        ),
    ))
}

fn powered_off(lab: &Lab, playbook: &Playbook, sshes: &[Ssh]) -> Proof<()> {
    let outcome = playbook.run(lab, &[])?;
    if outcome.code != Some(EXIT_UNREACHABLE) {
        return Err(format!(
            "ansible-playbook exited {:?}, not {EXIT_UNREACHABLE} (a host unreachable): {outcome}",
            outcome.code
        ));
    }
    let unreachable = outcome.hosts_with("unreachable");
    if unreachable != [host(POWERED_OFF)] {
        return Err(format!(
            "unreachable: {unreachable:?}, not [{}]; recap {}",
            host(POWERED_OFF),
            outcome.recap()
        ));
    }
    let failures = outcome.hosts_with("failures");
    if !failures.is_empty() {
        return Err(format!("failed on {failures:?}: {outcome}"));
    }
    let changed = outcome.changed();
    if changed != [host(DRIFTED)] {
        return Err(format!(
            "changed on {changed:?}, not [{}] (its drift repaired); recap {}",
            host(DRIFTED),
            outcome.recap()
        ));
    }
    let alive: Vec<u8> = (0..VMS).filter(|&i| i != POWERED_OFF).collect();
    for &index in &alive {
        let name = host(index);
        let repaired = module_changed(&outcome, &name)?;
        if repaired != (index == DRIFTED) {
            return Err(format!(
                "aio.host.topology on {name} reported changed={repaired}: {outcome}"
            ));
        }
        own_plumbing(&sshes[usize::from(index)], index)?;
    }
    Ok((
        (),
        format!(
            "ansible-playbook exited {EXIT_UNREACHABLE} after {:.1} s: {} unreachable, {} repaired, {} unchanged; aio plan exits 0 on both",
            outcome.took.as_secs_f64(),
            host(POWERED_OFF),
            host(DRIFTED),
            hosts(alive.iter().copied().filter(|&i| i != DRIFTED)).join(", ")
        ),
    ))
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
