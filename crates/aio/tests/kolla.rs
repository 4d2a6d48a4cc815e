//! Kolla-Ansible as one resource: rendered configuration, the real
//! kolla-genpwd, the VIP, and actions run through a stand-in for the ones
//! that need Docker (`stand-in/kolla-ansible-stand-in`, named as such).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::kolla::{Kolla, STAND_IN, key_lines};
use common::{change, said, stderr, stdout};
use std::os::unix::fs::PermissionsExt;
use std::process::Output;

const FIVE: [&str; 5] = [
    "bootstrap-servers",
    "prechecks",
    "octavia-certificates",
    "deploy",
    "post-deploy",
];

fn kolla() -> Option<Kolla> {
    Kolla::new()
}

/// What these tests ask of the shared fixture.
trait Steps {
    fn run(&self, command: &str, fail_at: &str) -> Output;
    fn plan(&self) -> Vec<(String, String)>;
    fn plan_text(&self) -> String;
    fn apply_ok(&self) -> Output;
}

impl Steps for Kolla {
    /// `aio COMMAND` (`--yes` to apply) with the stand-in, failing at `fail_at`.
    fn run(&self, command: &str, fail_at: &str) -> Output {
        let extra: &[&str] = if command == "apply" { &["--yes"] } else { &[] };
        self.run_with(&[("AIO_STANDIN_FAIL_AT", fail_at)], command, extra)
    }

    /// `(id, action)` of each change, kolla-ansible being the stand-in (a
    /// rehearsal refuses real playbooks).
    fn plan(&self) -> Vec<(String, String)> {
        self.sb
            .plan_with(&[("AIO_KOLLA_ANSIBLE", STAND_IN)], &self.topology)
    }

    fn plan_text(&self) -> String {
        let out = self.run("plan", "");
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    }

    fn apply_ok(&self) -> Output {
        let out = self.run("apply", "");
        assert!(out.status.success(), "{}", said(&out));
        out
    }
}

#[test]
fn the_first_plan_shows_everything_and_apply_renders_then_runs_five_actions_once() {
    let Some(k) = kolla() else { return };
    let plan = k.plan_text();
    for shown in [
        "globals.yml: created, minimal",
        "+ globals: network_interface: eth0",
        "+ neutron/ml2_conf.ini [ml2_type_vlan] network_vlan_ranges: physnet1:1500:4000,physnet2:1400:1450",
        "passwords.yml: kolla-genpwd",
        "inventory, with ansible_python_interpreter",
        &format!("actions: {}", FIVE.join(", ")),
    ] {
        assert!(
            plan.contains(shown),
            "`{shown}` is not in the plan:\n{plan}"
        );
    }
    let vip = plan
        .lines()
        .find_map(|l| l.trim().strip_prefix("vip: "))
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    k.apply_ok();

    let globals = k.file("globals.d/aio.yml");
    for line in [
        "network_interface: eth0",
        "neutron_external_interface: veth-ovs",
        "octavia_network_interface: v-lbaas",
        &format!("kolla_internal_vip_address: {vip}"),
    ] {
        assert!(
            globals.lines().any(|l| l == line),
            "`{line}` is not in globals.d/aio.yml:\n{globals}"
        );
    }
    assert!(
        k.file("config/neutron/ml2_conf.ini")
            .contains("network_vlan_ranges = physnet1:1500:4000,physnet2:1400:1450")
    );
    assert_eq!(k.ran(), FIVE);
    let calls = std::fs::read_to_string(&k.record).unwrap();
    let inventory = k.config.join("inventory");
    for line in calls.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        assert!(
            fields[1].ends_with(&format!(
                "-i {} --configdir {}",
                inventory.display(),
                k.config.display()
            )),
            "{line}"
        );
        assert_eq!(
            fields[2],
            format!("{}/bin", aio_sandbox::KOLLA_VENV),
            "the venv's bin is not first on PATH"
        );
    }
    assert!(
        std::fs::read_to_string(&inventory)
            .unwrap()
            .contains(&format!(
                "ansible_python_interpreter={}/bin/python",
                aio_sandbox::KOLLA_VENV
            ))
    );

    assert_eq!(k.plan(), vec![]);
    k.apply_ok();
    assert_eq!(k.ran().len(), 5, "a converged apply ran actions again");
}

#[test]
fn a_changed_global_is_one_key_line_and_a_failed_action_is_where_the_next_apply_resumes() {
    let Some(k) = kolla() else { return };
    k.apply_ok();
    let text = std::fs::read_to_string(&k.topology)
        .unwrap()
        .replace("enable_barbican = \"yes\"", "enable_barbican = \"no\"");
    std::fs::write(&k.topology, text).unwrap();
    let plan = k.plan_text();
    assert_eq!(
        key_lines(&plan),
        ["~ globals: enable_barbican: \"yes\" -> \"no\""],
        "{plan}"
    );
    assert!(
        plan.contains(&format!("actions: {}", FIVE.join(", "))),
        "{plan}"
    );

    let failed = k.run("apply", "deploy");
    assert_eq!(failed.status.code(), Some(1));
    assert!(stderr(&failed).contains("the next apply resumes at deploy"));
    assert_eq!(
        &k.ran()[5..],
        [
            "bootstrap-servers",
            "prechecks",
            "octavia-certificates",
            "deploy"
        ]
    );
    assert!(
        k.plan_text()
            .contains("actions: deploy, post-deploy (resuming after a failure)")
    );
    k.apply_ok();
    assert_eq!(&k.ran()[9..], ["deploy", "post-deploy"]);
    assert_eq!(k.plan(), vec![]);
}

#[test]
fn passwords_are_filled_private_and_never_shown() {
    let Some(k) = kolla() else { return };
    let text = std::fs::read_to_string(&k.topology).unwrap().replace(
        "[kolla.globals]\n",
        "[kolla.globals]\nkeystone_admin_password = \"Sup3r-Secret-Value\"\n",
    );
    std::fs::write(&k.topology, text).unwrap();
    let plan = k.run("plan", "");
    let apply = k.apply_ok();
    let passwords = k.config.join("passwords.yml");
    assert_eq!(
        std::fs::metadata(&passwords).unwrap().permissions().mode() & 0o777,
        0o640
    );
    let text = std::fs::read_to_string(&passwords).unwrap();
    let mut secrets = vec!["Sup3r-Secret-Value".to_string()];
    for line in text
        .lines()
        .filter(|l| !l.starts_with(' ') && l.contains(": "))
    {
        let (key, value) = line.split_once(": ").unwrap();
        // kolla-genpwd leaves docker_registry_password blank on purpose.
        assert!(
            key == "docker_registry_password" || (value != "null" && !value.is_empty()),
            "{key} is empty"
        );
        if value.len() >= 8 && value != "null" {
            secrets.push(value.trim_matches('\'').to_string());
        }
    }
    assert!(secrets.len() > 50, "only {} passwords", secrets.len());
    let mut shown = String::new();
    for out in [&plan, &apply] {
        shown += &said(out);
    }
    for log in std::fs::read_dir(k.sb.state.path().join("kolla")).unwrap() {
        shown += &std::fs::read_to_string(log.unwrap().path()).unwrap_or_default();
    }
    assert!(
        shown.contains("keystone_admin_password: <sensitive>"),
        "the secret global is not shown masked"
    );
    for secret in &secrets {
        assert!(!shown.contains(secret.as_str()), "a password was shown");
    }
}

#[test]
fn the_auto_vip_is_free_stable_and_never_the_hosts_or_the_gateways() {
    let Some(k) = kolla() else { return };
    for taken in ["192.0.2.2/24", "192.0.2.3/24"] {
        k.sb.host.upstream_ip(&["addr", "add", taken, "dev", "up0"]);
    }
    let vip = |plan: &str| {
        plan.lines()
            .find_map(|l| l.trim().strip_prefix("vip: "))
            .map(|v| v.split(' ').next().unwrap().to_string())
    };
    assert_eq!(
        vip(&k.plan_text()).as_deref(),
        Some("192.0.2.4"),
        "not the first free address after .1 (gateway), .2, .3"
    );
    k.apply_ok();
    // Once deployed, keepalived answers for the VIP: it is kept, not probed again.
    k.sb.host
        .upstream_ip(&["addr", "add", "192.0.2.4/24", "dev", "up0"]);
    assert_eq!(vip(&k.plan_text()).as_deref(), Some("192.0.2.4"));
    assert_eq!(k.plan(), vec![]);
}

#[test]
fn ports_on_br_ex_come_after_kolla_which_comes_after_the_links_it_reads() {
    let Some(k) = kolla() else { return };
    let plan = k.plan();
    let at = |id: &str| {
        plan.iter()
            .position(|c| c.0 == id)
            .unwrap_or_else(|| panic!("{id} not in {plan:?}"))
    };
    assert!(
        at("link/v-lbaas") < at("kolla/deployment")
            && at("address/v-lbaas/172.18.255.254/16") < at("kolla/deployment")
    );
    assert!(at("link/veth-ovs") < at("kolla/deployment"));
    assert!(at("kolla/deployment") < at("ovs-port/br-ex/v-lbaas-vlan"));
    assert!(plan.contains(&change("kolla/deployment", "update")));
}

#[test]
fn the_real_kolla_ansible_makes_the_octavia_certificates_offline() {
    let Some(k) = kolla() else { return };
    // Only this action runs for real: it needs no Docker.
    let out = k.run_with(
        &[("AIO_STANDIN_REAL", "octavia-certificates")],
        "apply",
        &["--yes"],
    );
    let log = std::fs::read_to_string(k.sb.state.path().join("kolla/octavia-certificates.log"))
        .unwrap_or_default();
    assert!(out.status.success(), "{}\n{log}", stderr(&out));
    assert!(
        log.contains("PLAY RECAP"),
        "kolla-ansible did not run for real:\n{log}"
    );
    // The progress counted the tasks as Ansible's recap did, and named the log.
    let recap = |key: &str| -> u32 {
        let recap = &log[log.find("PLAY RECAP").unwrap()..];
        recap
            .split_whitespace()
            .filter_map(|w| w.strip_prefix(key)?.parse::<u32>().ok())
            .sum()
    };
    let counted = format!(
        "  kolla-ansible octavia-certificates finished after {{}}, {} ok, {} changed, {} failed; log: {}",
        recap("ok="),
        recap("changed="),
        recap("failed="),
        k.sb.state
            .path()
            .join("kolla/octavia-certificates.log")
            .display()
    );
    let (before, after) = counted.split_once("{}").unwrap();
    assert!(
        stderr(&out)
            .lines()
            .any(|l| l.starts_with(before) && l.ends_with(after)),
        "no line like {counted:?} in:\n{}",
        stderr(&out)
    );
    assert!(recap("ok=") > 0, "{log}");
    for cert in [
        "server_ca.cert.pem",
        "server_ca.key.pem",
        "client_ca.cert.pem",
        "client.cert-and-key.pem",
    ] {
        let path = k.config.join("config/octavia").join(cert);
        assert!(path.exists(), "{} is missing:\n{log}", path.display());
    }
    assert_eq!(k.ran(), FIVE);
}

#[test]
fn the_br_ex_port_is_added_in_the_same_apply_once_deploy_made_the_bridge() {
    let Some(k) = kolla() else { return };
    k.sb.ovsdb.vsctl(&["del-br", "br-ex"]);
    let plan = k.plan_text();
    assert!(
        plan.contains("… ovs-port/br-ex/v-lbaas-vlan  waiting: bridge br-ex does not exist yet"),
        "{plan}"
    );
    let db = k.sb.ovsdb.unix();
    let out = k.run_with(&[("AIO_STANDIN_OVSDB", db.as_str())], "apply", &["--yes"]);
    let printed = stdout(&out);
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        printed.contains("Now possible, after what was just applied:")
            && printed.contains("the system matches the topology"),
        "{printed}"
    );
    assert_eq!(
        k.sb.ovsdb.vsctl(&["get", "port", "v-lbaas-vlan", "tag"]),
        "1718"
    );
    assert_eq!(k.plan(), vec![]);
}

/// Kolla's multinode format: remote hosts, the deployment host local.
const MULTINODE: &str = "[control]\ncontrol01\n\n[network]\ncontrol01\n\n[compute]\ncompute01\ncompute02\n\n[monitoring]\ncontrol01\n\n[storage]\ncontrol01\n\n[deployment]\nlocalhost ansible_connection=local\n\n[baremetal:children]\ncontrol\nnetwork\ncompute\n";

#[test]
fn a_multinode_inventory_is_kept_as_it_is_and_the_actions_use_it() {
    let Some(k) = kolla() else { return };
    let multinode = k.sb.state.path().join("multinode");
    std::fs::write(&multinode, MULTINODE).unwrap();
    let topology = std::fs::read_to_string(&k.topology).unwrap();
    let inventory = format!("[kolla]\ninventory = \"{}\"\n", multinode.display());
    assert!(topology.contains("[kolla]\n"));
    std::fs::write(&k.topology, topology.replacen("[kolla]\n", &inventory, 1)).unwrap();
    let plan = k.plan_text();
    assert!(
        plan.contains("inventory (multinode: each host's own Python)"),
        "{plan}"
    );
    k.apply_ok();
    // The remote hosts keep their own Python: no venv path is added for them.
    let written = std::fs::read_to_string(k.config.join("inventory")).unwrap();
    assert_eq!(written, MULTINODE);
    assert_eq!(k.ran(), FIVE);
}
