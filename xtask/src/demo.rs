//! `cargo xtask demo`: the reference topology in a sandbox with real OVN,
//! the real Keystone and neutron-server, Neutron's objects made through its
//! API, proven by traffic, through a reboot. The scenario is
//! `aio_sandbox::lab`, the same one the data-path test runs. Everything it
//! makes is removed at the end, also after a failure or Ctrl-C; the
//! machine's own network is never touched.
//!
//! `--topology FILE` runs another topology (a broken one, to see a proof
//! fail); `--break agent-rule` removes the rule Kolla's Octavia role adds
//! for the amphora agent's port from `lb-mgmt-sec-grp`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use aio_sandbox::lab::{Lab, Proof, Run};

use crate::shell::{on_path, require_root, root, sh};

/// Programs the demo runs, and the Debian package of each.
const NEEDS: [(&str, &str); 11] = [
    ("ip", "iproute2"),
    ("ping", "iputils-ping"),
    ("nft", "nftables"),
    ("ethtool", "ethtool"),
    ("ovsdb-server", "openvswitch-switch"),
    ("ovs-vswitchd", "openvswitch-switch"),
    ("ovs-vsctl", "openvswitch-switch"),
    ("ovn-northd", "ovn-central"),
    ("ovn-nbctl", "ovn-central"),
    ("ovn-controller", "ovn-host"),
    ("mariadbd", "mariadb-server"),
];

pub fn run(args: &[String]) -> Result<(), String> {
    require_root("cargo xtask demo")?;
    // What is missing is installed, as the test command does (no service starts).
    let absent = NEEDS.iter().any(|(p, _)| !on_path(p));
    if absent || args.iter().any(|a| a == "--install-deps") {
        crate::ci::install_packages()?;
    }
    let missing: Vec<String> = NEEDS
        .iter()
        .filter(|(p, _)| !on_path(p))
        .map(|(p, pkg)| format!("{p} ({pkg})"))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "missing {} after installing packages: `apt-get install` them",
            missing.join(", ")
        ));
    }
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = interrupted.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)).map_err(|e| e.to_string())?;
    sh("cargo", &["build", "--quiet", "--package", "aio"])?;
    // Another topology (a broken one, to see a proof fail) with --topology FILE.
    let file: std::path::PathBuf = match args.iter().position(|a| a == "--topology") {
        Some(i) => args.get(i + 1).ok_or("--topology needs a FILE")?.into(),
        None => root().join("examples/openstack-aio.toml"),
    };
    let reference =
        std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;

    let broken = match args.iter().position(|a| a == "--break") {
        Some(i) => match args.get(i + 1).map(String::as_str) {
            Some("agent-rule") => true,
            other => return Err(format!("--break {other:?}: the only way is agent-rule")),
        },
        None => false,
    };
    // Kolla's roles (read for Octavia's groups) and the OpenStack venv.
    crate::ci::kolla_venv()?;
    crate::ci::openstack_venv()?;

    let started = Instant::now();
    step(
        "A sandbox host: namespace aio-demo, uplink eth0 192.0.2.10/24 to an upstream router 192.0.2.1 (no route back to 10.0.2.0/24); ovsdb-server and ovs-vswitchd (userspace datapath) for Kolla's openvswitch containers; OVN's NB and SB databases, ovn-northd and ovn-controller for Kolla's ovn containers, the chassis set as Kolla sets it; a private MariaDB, the real Keystone (bootstrapped as Kolla bootstraps it) and the real neutron-server with Kolla's ML2/OVN settings on that OVN",
    );
    let mut lab = Lab::new("aio-demo", &crate::shell::built_aio("debug"), &reference);
    let t = lab.cloud().timings();
    println!(
        "    (database copied in {:.1} s, MariaDB up in {:.1} s, Keystone in {:.1} s, neutron-server in {:.1} s, its API answering with a token in {:.1} s{})",
        t.copy.as_secs_f64(),
        t.mariadb.as_secs_f64(),
        t.keystone.as_secs_f64(),
        t.neutron.as_secs_f64(),
        t.api_ready.as_secs_f64(),
        t.template_build
            .map(|b| format!(
                "; the database template was built first, in {:.1} s",
                b.as_secs_f64()
            ))
            .unwrap_or_default()
    );
    let result = scenario(&mut lab, broken, &interrupted);
    let traces = Traces::of(&lab);
    drop(lab);
    let left = traces.left();
    if !left.is_empty() {
        return Err(format!("left behind: {}", left.join(", ")));
    }
    match &result {
        Ok(()) => step(&format!(
            "Done in {:.1} s; the sandbox, its namespaces, daemons and files are removed (checked: no namespace aio-demo*, no daemon of the run, no directory of it)",
            started.elapsed().as_secs_f64()
        )),
        Err(e) => step(&format!(
            "Stopped: {e}; the sandbox, its namespaces, daemons and files are removed"
        )),
    }
    result
}

fn scenario(lab: &mut Lab, broken: bool, interrupted: &AtomicBool) -> Result<(), String> {
    let check = || {
        if interrupted.load(Ordering::SeqCst) {
            Err("interrupted".to_string())
        } else {
            Ok(())
        }
    };
    step(&format!(
        "The reference topology, [ovs] pointed at that OVSDB, Kolla rendering only: {}",
        lab.topology.display()
    ));
    show("aio plan", &lab.aio("plan", &[]), &[0])?;
    check()?;
    show("aio apply --yes", &lab.aio("apply", &["--yes"]), &[0])?;
    check()?;
    step(
        "Kolla's openvswitch role (a stand-in: ovs-vsctl) makes br-ex with veth-ovs, its physnet1 port; aio adds the Octavia port",
    );
    lab.kolla_makes_br_ex();
    show("aio apply --yes", &lab.aio("apply", &["--yes"]), &[0])?;
    check()?;
    step("Neutron's external network, with the commands aio prints (`aio show`), through the API:");
    for command in lab.printed_commands() {
        println!("    $ {command}");
    }
    let d = lab.design.clone();
    step(&format!(
        "Then, through the API as Kolla's Octavia role and a user would: the role's security groups (read from kolla-ansible), lb-mgmt-net (VLAN {tag} on {physnet}) and a twin on VLAN {wrong}, a tenant network {tenant} behind a router with its gateway on public1, ports bound to the chassis for amphorae amp0, amp1 and VMs vm0, vm1, a floating IP for vm1; the guests plugged into br-int with iface-id = the port's id",
        physnet = d.physnet,
        tag = d.amp_tag,
        wrong = d.wrong_tag(),
        tenant = d.tenant(),
    ));
    let made = Instant::now();
    lab.neutron()?;
    println!(
        "    ({:.1} s: the objects through the API, the guests plugged, every port ACTIVE)",
        made.elapsed().as_secs_f64()
    );
    for line in lab.made_summary() {
        println!("    {line}");
    }
    if broken {
        step("Broken on purpose: the amphora agent's rule removed from lb-mgmt-sec-grp");
        lab.remove_agent_rule()?;
    }
    prove(lab)?;
    check()?;
    step(
        "Kolla's init-runonce gives public1 the subnet's first address as gateway; aio, told of public1 by [neutron.external_network], sets dummy1's in place",
    );
    report(&[lab.init_runonce_gateway()])?;
    check()?;
    step(
        "A reboot: MariaDB, Keystone, neutron-server, the OVS and OVN daemons stop (their databases stay), aio's links, ip_forward and the NAT table are gone",
    );
    lab.reboot();
    show(
        "aio apply --yes   (at boot, before Kolla's containers: OVS is not up yet)",
        &lab.aio("apply", &["--yes"]),
        &[1],
    )?;
    println!(
        "    (exit 1 as expected: the OVS port could not be checked; everything else converged)"
    );
    check()?;
    step(
        "Kolla's openvswitch, ovn, keystone and neutron containers start; every port is ACTIVE again; the next apply completes",
    );
    lab.start_daemons()?;
    show("aio apply --yes", &lab.aio("apply", &["--yes"]), &[0])?;
    prove(lab)?;
    show(
        "aio plan --detailed-exitcode",
        &lab.aio("plan", &["--detailed-exitcode"]),
        &[0],
    )?;
    step("aio doctor: the data paths walked hop by hop, each probe answered, nothing left behind");
    show("aio doctor", &lab.aio("doctor", &[]), &[0])
}

/// What the lab made that must be gone once it is dropped.
struct Traces {
    pids: Vec<u32>,
    dirs: Vec<std::path::PathBuf>,
}

impl Traces {
    fn of(lab: &Lab) -> Self {
        let (pids, dirs) = lab.traces();
        Self { pids, dirs }
    }

    /// What is still there: namespaces, live processes, directories.
    fn left(&self) -> Vec<String> {
        let mut left = aio_sandbox::namespaces_starting("aio-demo");
        left.extend(
            self.pids
                .iter()
                .filter(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists())
                .map(|pid| format!("process {pid}")),
        );
        left.extend(
            self.dirs
                .iter()
                .filter(|d| d.exists())
                .map(|d| d.display().to_string()),
        );
        left
    }
}

fn step(text: &str) {
    println!("\n== {text}");
}

/// Prints what a user would see of `aio ...`, failing unless it exited with one of `codes`.
fn show(command: &str, run: &Run, codes: &[i32]) -> Result<(), String> {
    println!("$ {command}");
    print!("{}", run.stdout);
    for line in run.stderr.lines() {
        println!("{line}");
    }
    match run.code {
        Some(code) if codes.contains(&code) => Ok(()),
        other => Err(format!("`{command}` exited {other:?}")),
    }
}

fn prove(lab: &Lab) -> Result<(), String> {
    step("Proofs, by traffic");
    let started = Instant::now();
    let proofs = lab.proofs();
    let result = report(&proofs);
    println!("  ({:.1} s)", started.elapsed().as_secs_f64());
    result
}

/// Prints each proof, failing when one did not hold.
fn report(proofs: &[Proof]) -> Result<(), String> {
    for p in proofs {
        println!("  {} {}", if p.held { "✓" } else { "✗ FAILED:" }, p.claim);
        for line in p.why.lines() {
            println!("      {line}");
        }
    }
    match proofs.iter().filter(|p| !p.held).count() {
        0 => Ok(()),
        n => Err(format!(
            "{n} proof(s) failed: the data path does not work as designed"
        )),
    }
}
