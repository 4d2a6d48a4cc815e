//! A fresh VM converges in one apply: before Kolla's deploy there is no
//! OVSDB at all, and the port aio adds to `br-ex` (which the deploy makes)
//! waits for the deployment instead of failing the plan. The deploy is
//! the stand-in (`stand-in/kolla-ansible-stand-in`), which starts an
//! ovsdb-server and makes `br-ex` as Kolla's openvswitch role does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Sandbox;
use common::kolla::{STAND_IN, no_venv};
use common::run::said;

/// The ovsdb-server the stand-in deploy starts, stopped by its pid when the test ends.
struct DeployedOvsdb(PathBuf);

impl DeployedOvsdb {
    fn socket(&self) -> String {
        format!("unix:{}/db.sock", self.0.display())
    }

    fn vsctl(&self, args: &[&str]) -> String {
        let out = Command::new("ovs-vsctl")
            .arg(format!("--db={}", self.socket()))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "ovs-vsctl {args:?}: {}", said(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for DeployedOvsdb {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.0.join("ovsdb.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

#[test]
fn a_fresh_vm_converges_in_one_apply_with_the_port_on_the_bridge_the_deploy_makes() {
    if no_venv() {
        return;
    }
    let sb = Sandbox::new();
    let dir = tempfile::tempdir().unwrap();
    let ovsdb = DeployedOvsdb(dir.path().to_path_buf());
    // The reference, with its OVSDB where only the deploy will start one.
    let reference = std::fs::read_to_string(sb.reference_with_actions(true)).unwrap();
    let here = format!("db = \"{}\"", sb.ovsdb.unix());
    assert!(reference.contains(&here));
    let t = sb.topology(
        "fresh.toml",
        &reference.replace(&here, &format!("db = \"{}\"", ovsdb.socket())),
    );
    let record = sb.state.path().join("stand-in.record");
    let record = record.to_str().unwrap();
    let start = dir.path().to_str().unwrap();
    let env = [
        ("AIO_KOLLA_ANSIBLE", STAND_IN),
        ("AIO_STANDIN_RECORD", record),
        ("AIO_STANDIN_START_OVSDB", start),
    ];
    assert!(!Path::new(&dir.path().join("db.sock")).exists());

    let plan = sb.aio_with(&env, "plan", &t, &["--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(2), "{}", said(&plan));
    assert!(
        said(&plan).contains("ovs-port/br-ex/v-lbaas-vlan  waiting: waits for kolla/deployment"),
        "{}",
        said(&plan)
    );

    let apply = sb.aio_with(&env, "apply", &t, &["--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", said(&apply));
    assert_eq!(ovsdb.vsctl(&["get", "port", "v-lbaas-vlan", "tag"]), "1718");
    assert_eq!(ovsdb.vsctl(&["port-to-br", "v-lbaas-vlan"]), "br-ex");

    let again = sb.aio_with(&env, "plan", &t, &["--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", said(&again));
}
