//! The Ansible collection never prints a secret of the topology: a play of
//! the role `aio.host.plumbing` and of the module `aio.host.topology` over a
//! namespace host, with Kolla's passwords in the topology, run with `-vvv
//! --diff` and Ansible's default output, shows none of them anywhere, and
//! the topology file the role writes is readable by root only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::ansible::{ansible, venv_bin};
use std::os::unix::fs::PermissionsExt;

/// Secrets as an operator puts them in a topology: a Kolla global and a
/// database URL in a service's INI override.
const PASSWORD: &str = "Pa55-aio-ansible-k3ystone";
const URL_PASSWORD: &str = "n0va-aio-ansible-db";

/// The sandbox's reference topology with both secrets in it.
fn with_secrets(sb: &common::Sandbox) -> String {
    let text = std::fs::read_to_string(sb.reference()).unwrap();
    assert!(text.contains("[kolla.globals]\n"), "{text}");
    text.replace(
        "[kolla.globals]\n",
        &format!("[kolla.globals]\nkeystone_admin_password = \"{PASSWORD}\"\n"),
    ) + &format!(
        "\n[kolla.config.\"nova.conf\".database]\nconnection = \"mysql+pymysql://nova:{URL_PASSWORD}@192.0.2.9/nova\"\n"
    )
}

/// `text` as a YAML scalar Ansible does not template (the topology holds
/// Jinja of Kolla's own).
fn quoted(text: &str) -> String {
    format!("!unsafe {}", serde_json::to_string(text).unwrap())
}

#[test]
fn no_secret_of_the_topology_is_printed_under_vvv_and_its_file_is_private() {
    if common::kolla::no_venv() {
        return;
    }
    let sb = common::Sandbox::new();
    let topology = with_secrets(&sb);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("etc/topology.toml");
    let inventory = dir.path().join("hosts.yml");
    std::fs::write(
        &inventory,
        format!(
            "all:\n  hosts:\n    node-a:\n      ansible_connection: local\n      ansible_python_interpreter: {}\n",
            venv_bin("python").display()
        ),
    )
    .unwrap();
    let playbook = dir.path().join("site.yml");
    std::fs::write(
        &playbook,
        format!(
            "- hosts: all\n  gather_facts: false\n  roles:\n    - role: aio.host.plumbing\n      vars:\n        \
             aio_binary: {aio}\n        aio_topology_content: {content}\n        aio_topology_file: {file}\n        \
             aio_netns: {ns}\n        aio_state_dir: {state}\n  tasks:\n    - name: The module alone, from text\n      \
             aio.host.topology:\n        content: {content}\n        netns: {ns}\n        state_dir: {state}\n        \
             binary: {aio}\n",
            aio = env!("CARGO_BIN_EXE_aio"),
            content = quoted(&topology),
            file = file.display(),
            ns = sb.ns,
            state = sb.state.path().display(),
        ),
    )
    .unwrap();

    let out = ansible("ansible-playbook", dir.path())
        .env("ANSIBLE_STDOUT_CALLBACK", "default")
        .arg("-i")
        .arg(&inventory)
        .arg(&playbook)
        .args(["-vvv", "--diff"])
        .output()
        .unwrap();
    let said = common::said(&out);
    assert!(out.status.success(), "{said}");
    // The run did show the module's arguments and its plan.
    assert!(said.contains("\"module_args\""), "{said}");
    assert!(said.contains("keystone_admin_password"), "{said}");
    for secret in [PASSWORD, URL_PASSWORD] {
        let shown: Vec<&str> = said.lines().filter(|l| l.contains(secret)).collect();
        assert!(shown.is_empty(), "{secret} printed:\n{}", shown.join("\n"));
    }

    let written = std::fs::read_to_string(&file).unwrap();
    assert!(
        written.contains(PASSWORD),
        "the role wrote another topology"
    );
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{} is {mode:o}", file.display());
}
