//! Ansible in tests: the kolla venv's ansible-core with the collection of
//! this checkout (`ansible/ansible_collections/aio/host`), and its results
//! read as JSON from a stdout callback (`tests/ansible/callback_plugins`,
//! ansible.posix.json's layout, which ansible-core alone lacks).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The playbooks and the callback of the Ansible tests.
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ansible");

/// A program of the kolla venv (its ansible-core, its Python).
pub fn venv_bin(name: &str) -> PathBuf {
    Path::new(aio_sandbox::KOLLA_VENV).join("bin").join(name)
}

/// `PROGRAM` of the venv with the collection from this checkout, results as
/// JSON, no persistent SSH masters, and every file Ansible writes under `dir`.
pub fn ansible(program: &str, dir: &Path) -> Command {
    let mut command = Command::new(venv_bin(program));
    command
        .env("ANSIBLE_COLLECTIONS_PATH", super::root().join("ansible"))
        .env(
            "ANSIBLE_CALLBACK_PLUGINS",
            Path::new(FIXTURES).join("callback_plugins"),
        )
        .env("ANSIBLE_STDOUT_CALLBACK", "aio_test_json")
        .env("ANSIBLE_HOME", dir.join("home"))
        .env("ANSIBLE_LOCAL_TEMP", dir.join("tmp"))
        .env("ANSIBLE_REMOTE_TEMP", dir.join("tmp"))
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_RETRY_FILES_ENABLED", "false")
        .env("ANSIBLE_SSH_ARGS", "-o ControlMaster=no")
        .env_remove("ANSIBLE_CONFIG")
        .current_dir(dir);
    command
}

/// The run as JSON from what `ansible-playbook` printed (panics saying all of it).
pub fn parse(out: &Output) -> Value {
    let stdout = super::stdout(out);
    let start = stdout
        .find('{')
        .unwrap_or_else(|| panic!("ansible-playbook printed no JSON: {}", super::said(out)));
    serde_json::from_str(&stdout[start..]).unwrap_or_else(|e| panic!("{e}: {}", super::said(out)))
}

/// The hosts the recap counts `what` (`changed`, `unreachable`, `failures`) on.
pub fn hosts_with(doc: &Value, what: &str) -> Vec<String> {
    let stats = doc["stats"].as_object().unwrap();
    stats
        .iter()
        .filter(|(_, s)| s[what].as_u64().unwrap_or(0) > 0)
        .map(|(h, _)| h.clone())
        .collect()
}

/// The hosts the recap counts a change on.
pub fn changed(doc: &Value) -> Vec<String> {
    hosts_with(doc, "changed")
}

/// The result of the first task of the first play on `host`.
pub fn result<'a>(doc: &'a Value, host: &str) -> &'a Value {
    &doc["plays"][0]["tasks"][0]["hosts"][host]
}

/// Whether link `name` exists in namespace `ns`.
pub fn link_exists(ns: &str, name: &str) -> bool {
    aio_sandbox::exec_in(ns, &["ip", "link", "show", "dev", name])
        .status
        .success()
}

/// A topology for a namespace host: a bridge with `10.0.SUBNET.2/24` and a
/// veth pair into it.
pub fn topology(subnet: u8) -> String {
    format!(
        "version = 1\n\n[host]\nuplink = \"auto\"\n\n\
         [interfaces.dummy1]\ntype = \"bridge\"\naddresses = [\"10.0.{subnet}.2/24\"]\n\n\
         [interfaces.veth-ovs]\ntype = \"veth\"\npeer = \"veth-br\"\n\n\
         [interfaces.veth-br]\nmaster = \"dummy1\"\n"
    )
}
