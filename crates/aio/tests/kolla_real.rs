//! Kolla on a real host stays the operator's: aio's globals go to
//! `globals.d/aio.yml` and `globals.yml` is left alone, plans show globals
//! and INI overrides key by key, the VIP in use is kept, `--rerun` runs an
//! action again, and Neutron's external network is spelled out. The
//! reference topology in a sandbox, the real venv, and the named stand-in
//! (`stand-in/kolla-ansible-stand-in`) for actions that need Docker.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::kolla::{Kolla, OPERATORS_GLOBALS, key_lines};

const NETWORK_CREATE: &str = "openstack network create --external --provider-network-type flat --provider-physical-network physnet1 public1";
const SUBNET_CREATE: &str = "openstack subnet create --no-dhcp --allocation-pool start=10.0.2.128,end=10.0.2.254 --network public1 --subnet-range 10.0.2.0/24 --gateway 10.0.2.2 public1-subnet";

fn kolla() -> Option<Kolla> {
    Kolla::new()
}

/// What these tests ask of the shared fixture.
trait Steps {
    fn plan(&self) -> String;
    fn edit(&self, from: &str, to: &str);
}

impl Steps for Kolla {
    fn plan(&self) -> String {
        self.ok("plan", &[])
    }

    fn edit(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(&self.topology).unwrap();
        assert!(text.contains(from), "the topology has no `{from}`");
        std::fs::write(&self.topology, text.replacen(from, to, 1)).unwrap();
    }
}

/// The plan's `vip` fact.
fn vip(plan: &str) -> String {
    plan.lines()
        .find_map(|l| l.trim().strip_prefix("vip: "))
        .unwrap_or_else(|| panic!("no vip in {plan}"))
        .to_string()
}

#[test]
fn aios_globals_go_to_globals_d_and_the_operators_globals_yml_is_kept() {
    let Some(k) = kolla() else { return };
    k.operators_globals(OPERATORS_GLOBALS);
    let plan = k.plan();
    let base = k.config.join("globals.yml");
    assert_eq!(
        vip(&plan),
        format!("192.0.2.50 (deployed: {})", base.display()),
        "the VIP in use was not kept"
    );
    assert!(
        plan.contains(&format!(
            "{} also sets kolla_internal_vip_address: aio's values win (Kolla reads globals.d/aio.yml after it)",
            base.display()
        )),
        "{plan}"
    );
    assert!(
        plan.contains("+ globals: enable_barbican: \"yes\""),
        "{plan}"
    );
    k.apply(&[]);

    assert_eq!(
        std::fs::read_to_string(&base).unwrap(),
        OPERATORS_GLOBALS,
        "globals.yml was written"
    );
    let ours = std::fs::read_to_string(k.config.join("globals.d/aio.yml")).unwrap();
    assert!(
        ours.lines()
            .any(|l| l == "kolla_internal_vip_address: 192.0.2.50"),
        "{ours}"
    );
    let merged = k.merged_globals();
    for (key, value) in [
        ("enable_heat", "no"),
        ("enable_manila", "yes"),
        ("kolla_internal_vip_address", "192.0.2.50"),
        ("enable_barbican", "yes"),
        ("network_interface", "eth0"),
        ("neutron_external_interface", "veth-ovs"),
    ] {
        assert_eq!(merged[key], value, "{key} in {merged:#}");
    }
    assert_eq!(merged["horizon_port"], 8080);

    // The topology's value beats the operator's, by Kolla's order.
    k.edit(
        "[kolla.globals]\n",
        "[kolla.globals]\nenable_manila = \"no\"\n",
    );
    let plan = k.plan();
    assert!(
        plan.contains("also sets enable_manila, kolla_internal_vip_address: aio's values win"),
        "{plan}"
    );
    k.apply(&[]);
    assert_eq!(k.merged_globals()["enable_manila"], "no");
    assert_eq!(std::fs::read_to_string(&base).unwrap(), OPERATORS_GLOBALS);
}

#[test]
fn a_missing_globals_yml_is_made_minimal_and_kolla_ansible_accepts_it() {
    let Some(k) = kolla() else { return };
    let plan = k.plan();
    assert!(
        plan.contains(
            "globals.yml: created, minimal: Kolla needs it; aio's settings are in globals.d/aio.yml"
        ),
        "{plan}"
    );
    k.apply(&[]);
    let base = std::fs::read_to_string(k.config.join("globals.yml")).unwrap();
    assert!(base.contains("globals.d/aio.yml"), "{base}");
    let merged = k.merged_globals();
    assert_eq!(merged["network_interface"], "eth0");
    assert_eq!(merged["enable_octavia"], "yes");
}

#[test]
fn globals_and_ini_overrides_are_planned_key_by_key() {
    let Some(k) = kolla() else { return };
    k.apply(&[]);
    assert_eq!(key_lines(&k.plan()), Vec::<&str>::new());
    k.edit("horizon_port = 8080", "horizon_port = 8081");
    k.edit(
        "enable_octavia = \"yes\"",
        "enable_octavia = \"yes\"\nenable_heat = \"no\"\ndatabase_password = \"Sup3r-Secret-Value\"",
    );
    k.edit("global_physnet_mtu = 9000", "global_physnet_mtu = 1500");
    k.edit("quota_port = -1\n", "");
    let plan = k.plan();
    assert_eq!(
        key_lines(&plan),
        [
            "~ neutron.conf [DEFAULT] global_physnet_mtu: 9000 -> 1500",
            "- neutron.conf [quotas] quota_port: -1",
            "+ globals: enable_heat: \"no\"",
            "+ globals: database_password: <sensitive>",
            "~ globals: horizon_port: 8080 -> 8081",
        ],
        "{plan}"
    );
    assert!(!plan.contains("Sup3r-Secret-Value"));
    assert!(!plan.contains("@@"), "a line diff is left:\n{plan}");
}

#[test]
fn a_vip_keepalived_holds_on_the_uplink_is_kept() {
    let Some(k) = kolla() else { return };
    // What keepalived adds for kolla_internal_vip_address: a /32 beside the primary.
    k.sb.ip(&["addr", "add", "192.0.2.77/32", "dev", "eth0"]);
    let plan = k.plan();
    assert_eq!(vip(&plan), "192.0.2.77 (held by keepalived on eth0)");
    k.apply(&[]);
    let ours = std::fs::read_to_string(k.config.join("globals.d/aio.yml")).unwrap();
    assert!(
        ours.lines()
            .any(|l| l == "kolla_internal_vip_address: 192.0.2.77"),
        "{ours}"
    );
    // From then on Kolla's own files say which VIP is in use.
    assert_eq!(
        vip(&k.plan()),
        format!(
            "192.0.2.77 (deployed: {})",
            k.config.join("globals.d/aio.yml").display()
        )
    );
}

#[test]
fn rerun_runs_an_action_again_and_post_deploy_tells_the_external_network() {
    let Some(k) = kolla() else { return };
    let first = k.apply(&[]);
    assert_eq!(k.ran().len(), 5);
    for shown in [NETWORK_CREATE, SUBNET_CREATE] {
        assert!(
            first.contains(shown),
            "`{shown}` is not after the apply:\n{first}"
        );
    }
    assert!(k.plan().contains("No changes"));

    let again = k.apply(&["--rerun", "deploy"]);
    assert!(
        again.contains("actions: deploy (--rerun deploy)"),
        "{again}"
    );
    assert_eq!(&k.ran()[5..], ["deploy"]);
    assert!(
        !again.contains(NETWORK_CREATE),
        "post-deploy did not run, yet:\n{again}"
    );
    assert!(k.plan().contains("No changes"), "the rerun is asked once");

    let both = k.apply(&["--rerun", "post-deploy", "--rerun", "prechecks"]);
    assert!(
        both.contains("actions: prechecks, post-deploy (--rerun prechecks, post-deploy)"),
        "{both}"
    );
    assert_eq!(&k.ran()[6..], ["prechecks", "post-deploy"]);
    assert!(both.contains(SUBNET_CREATE), "{both}");

    let unknown = k.run_with(&[], "apply", &["--yes", "--rerun", "destroy"]);
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr)
            .contains("--rerun destroy: not one of [kolla] actions"),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );
    assert_eq!(k.ran().len(), 8);
}

#[test]
fn show_spells_out_neutrons_external_network() {
    let Some(k) = kolla() else { return };
    let show = k.ok("show", &[]);
    let resources = show.find("kolla/deployment").unwrap();
    let network = show
        .find(NETWORK_CREATE)
        .unwrap_or_else(|| panic!("{show}"));
    assert!(resources < network, "not after the resources:\n{show}");
    for shown in [
        SUBNET_CREATE,
        "EXT_NET_CIDR=10.0.2.0/24 EXT_NET_RANGE=start=10.0.2.128,end=10.0.2.254 EXT_NET_GATEWAY=10.0.2.2",
    ] {
        assert!(show.contains(shown), "`{shown}` is not shown:\n{show}");
    }
}

#[test]
fn the_existing_venv_with_kolla_ansible_20_is_not_rebuilt() {
    let Some(k) = kolla() else { return };
    assert!(!k.plan().contains("pip install"));
    k.apply(&[]);
    assert!(
        !k.sb.state.path().join("kolla/venv.log").exists(),
        "pip ran in the venv"
    );
    let record: serde_json::Value = serde_json::from_slice(
        &std::fs::read(k.sb.state.path().join("kolla/record.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(record["package"], serde_json::Value::Null);
    assert_eq!(record["version"], "20.6.0");
}
