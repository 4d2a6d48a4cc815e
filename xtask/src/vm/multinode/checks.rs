//! What each proof of the suite checks: the playbook's runs (changed,
//! unchanged, `--check --diff`, one VM powered off) and each VM's own
//! plumbing.

use aio_vm::{Lab, Ssh};

use super::ansible::{EXIT_UNREACHABLE, Outcome, Playbook};
use super::inventory::{AIO, DRIFTED, POWERED_OFF, Plumbing, TOPOLOGY_FILE, VMS, host, hosts};
use crate::vm::remote::{Proof, must, plan_is_empty};

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

pub fn first_run(lab: &Lab, playbook: &Playbook, sshes: &[Ssh]) -> Proof<()> {
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

pub fn second_run(lab: &Lab, playbook: &Playbook) -> Proof<()> {
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

pub fn drift_checked(lab: &Lab, playbook: &Playbook, drifted: &Ssh) -> Proof<()> {
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

pub fn powered_off(lab: &Lab, playbook: &Playbook, sshes: &[Ssh]) -> Proof<()> {
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
