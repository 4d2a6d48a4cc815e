//! The Ansible collection `aio.host` (`ansible/ansible_collections/aio/host`)
//! driven by the real ansible-core of the kolla venv, as an operator would:
//! `ansible-doc` documents the module, `ansible-galaxy` builds the
//! collection, and playbooks over namespace "hosts" (`connection: local`,
//! each host's `netns`, topology and state dir from `host_vars`) converge,
//! report `changed` only when something changed, and show drift in
//! `--check --diff` without repairing it. Results are read from a JSON
//! stdout callback (`tests/ansible/callback_plugins`, ansible.posix.json's
//! layout, which ansible-core alone lacks).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::ansible::{FIXTURES, ansible, changed, link_exists, parse, result, topology, venv_bin};
use serde_json::Value;
use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Numbers the sandboxes of this process's tests, which run in parallel.
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// Namespace "hosts" in one inventory, each with `host_vars`.
struct Fleet {
    dir: tempfile::TempDir,
    hosts: Vec<(String, aio_sandbox::Sandbox)>,
}

impl Fleet {
    /// `names` as hosts, each a sandbox with its own topology file
    /// (`aio_src`), state dir and `vars` (YAML lines) in `host_vars/NAME.yml`.
    fn new(names: &[&str], vars: &dyn Fn(usize, &Path) -> String) -> Fleet {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("host_vars")).unwrap();
        let mut inventory = String::from("all:\n  hosts:\n");
        let mut hosts = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let ns = format!("aio-ans{}-{n}", std::process::id());
            let sandbox = aio_sandbox::Sandbox::new(&ns);
            let src = dir.path().join(format!("{name}.toml"));
            std::fs::write(&src, topology(2 + i as u8)).unwrap();
            let state = dir.path().join(format!("state-{name}"));
            let host_vars = format!(
                "ansible_connection: local\nansible_python_interpreter: {}\n\
                 aio_bin: {}\naio_src: {}\naio_netns: {ns}\naio_state_dir: {}\n{}",
                venv_bin("python").display(),
                env!("CARGO_BIN_EXE_aio"),
                src.display(),
                state.display(),
                vars(i, dir.path()),
            );
            std::fs::write(dir.path().join(format!("host_vars/{name}.yml")), host_vars).unwrap();
            inventory += &format!("    {name}:\n");
            hosts.push((name.to_string(), sandbox));
        }
        std::fs::write(dir.path().join("hosts.yml"), inventory).unwrap();
        Fleet { dir, hosts }
    }

    fn sandbox(&self, name: &str) -> &aio_sandbox::Sandbox {
        &self.hosts.iter().find(|(n, _)| n == name).unwrap().1
    }

    /// `ansible-playbook -i hosts.yml PLAYBOOK ARGS`: its exit status and the run as JSON.
    fn play(&self, playbook: &Path, args: &[&str]) -> (Output, Value) {
        let out = ansible("ansible-playbook", self.dir.path())
            .arg("-i")
            .arg(self.dir.path().join("hosts.yml"))
            .arg(playbook)
            .args(args)
            .output()
            .unwrap();
        let doc = parse(&out);
        (out, doc)
    }

    /// [`Fleet::play`] of the fixture playbook, which must succeed.
    fn converge(&self, args: &[&str]) -> Value {
        let (out, doc) = self.play(&Path::new(FIXTURES).join("topology.yml"), args);
        assert!(out.status.success(), "{}", common::said(&out));
        doc
    }
}

#[test]
fn ansible_doc_documents_the_module_and_the_collection_builds() {
    if common::kolla::no_venv() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = ansible("ansible-doc", dir.path())
        .arg("aio.host.topology")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::said(&out));
    let doc = common::stdout(&out);
    for word in [
        "aio.host.topology",
        "OPTIONS",
        "content",
        "netns",
        "state_dir",
        "rerun",
        "check mode",
        "EXAMPLES",
        "RETURN VALUES",
    ] {
        assert!(
            doc.contains(word),
            "ansible-doc does not say {word}:\n{doc}"
        );
    }
    let out = ansible("ansible-galaxy", dir.path())
        .args(["collection", "build", "--output-path"])
        .arg(dir.path())
        .arg(common::root().join("ansible/ansible_collections/aio/host"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::said(&out));
    assert!(dir.path().join("aio-host-0.1.0.tar.gz").exists());
}

#[test]
fn two_hosts_converge_once_and_check_diff_names_the_drift() {
    if common::kolla::no_venv() {
        return;
    }
    let fleet = Fleet::new(&["node-a", "node-b"], &|_, _| String::new());
    let first = fleet.converge(&[]);
    assert_eq!(changed(&first), ["node-a", "node-b"]);
    for (name, sandbox) in &fleet.hosts {
        let r = result(&first, name);
        assert!(r["applied"].as_u64().unwrap() >= 3, "{r:#}");
        for link in ["dummy1", "veth-ovs", "veth-br"] {
            assert!(link_exists(&sandbox.ns, link), "{name} has no {link}");
        }
    }
    let b = fleet.sandbox("node-b");
    assert!(
        b.ip(&["addr", "show", "dev", "dummy1"])
            .contains("10.0.3.2/24")
    );

    let second = fleet.converge(&[]);
    assert!(changed(&second).is_empty(), "{second:#}");
    assert_eq!(
        result(&second, "node-a")["plan"]["changes"],
        Value::Array(vec![])
    );

    // Drift on one host: the preview names it there only and repairs nothing.
    let a = fleet.sandbox("node-a");
    a.ip(&["link", "del", "veth-ovs"]);
    let check = fleet.converge(&["--check", "--diff"]);
    assert_eq!(changed(&check), ["node-a"]);
    let diff = serde_json::to_string(&result(&check, "node-a")["diff"]).unwrap();
    assert!(diff.contains("link/veth-ovs (create)"), "{diff}");
    assert!(
        result(&check, "node-b")
            .get("diff")
            .is_none_or(|d| d == &Value::Array(vec![]))
    );
    assert!(!link_exists(&a.ns, "veth-ovs"), "--check repaired the veth");

    let repair = fleet.converge(&[]);
    assert_eq!(changed(&repair), ["node-a"]);
    assert!(link_exists(&a.ns, "veth-ovs") && link_exists(&a.ns, "veth-br"));
    assert!(changed(&fleet.converge(&[])).is_empty());

    // state=absent: previewed in check mode, then only aio's objects go.
    let absent = ["-e", "aio_state=absent"];
    let preview = fleet.converge(&[&absent[..], &["--check"]].concat());
    assert_eq!(changed(&preview), ["node-a", "node-b"]);
    assert!(link_exists(&a.ns, "dummy1"), "--check destroyed");
    fleet.converge(&absent);
    assert!(changed(&fleet.converge(&absent)).is_empty());
    for (name, sandbox) in &fleet.hosts {
        assert!(!link_exists(&sandbox.ns, "dummy1"), "{name} kept dummy1");
        assert!(link_exists(&sandbox.ns, "eth0"), "{name} lost its uplink");
    }
}

#[test]
fn a_wrong_topology_fails_the_task_at_its_line() {
    if common::kolla::no_venv() {
        return;
    }
    let fleet = Fleet::new(&["node-a"], &|_, _| String::new());
    let playbook = fleet.dir.path().join("content.yml");
    std::fs::write(
        &playbook,
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - aio.host.topology:\n        \
         content: \"version = 1\\n[interfaces.dummy1]\\ntype = \\\"brige\\\"\\n\"\n        \
         netns: \"{{ aio_netns }}\"\n        state_dir: \"{{ aio_state_dir }}\"\n        \
         binary: \"{{ aio_bin }}\"\n",
    )
    .unwrap();
    let before = fleet.sandbox("node-a").ip(&["-d", "link", "show"]);
    let (out, doc) = fleet.play(&playbook, &[]);
    assert!(!out.status.success());
    let r = result(&doc, "node-a");
    assert_eq!(r["failed"], true, "{r:#}");
    let msg = r["msg"].as_str().unwrap();
    assert!(msg.contains("content:3:"), "{msg}");
    assert!(msg.contains("brige"), "{msg}");
    assert_eq!(fleet.sandbox("node-a").ip(&["-d", "link", "show"]), before);
}

#[test]
fn the_role_installs_aio_writes_the_topology_from_a_mapping_and_the_unit() {
    if common::kolla::no_venv() {
        return;
    }
    let vars = |_: usize, dir: &Path| {
        format!(
            "aio_binary_src: {}\naio_binary: {}/bin/aio\naio_topology_file: {}/etc/topology.toml\n\
             aio_service: true\naio_service_unit_dir: {}/units\naio_service_systemctl: false\n\
             aio_topology:\n  version: 1\n  host: {{uplink: auto}}\n  sysctl: {{\"net.ipv4.ip_forward\": 1}}\n\
             \x20 interfaces:\n    dummy1: {{type: bridge, addresses: [\"10.0.2.2/24\"]}}\n",
            env!("CARGO_BIN_EXE_aio"),
            dir.display(),
            dir.display(),
            dir.display(),
        )
    };
    let fleet = Fleet::new(&["node-a"], &vars);
    let playbook = fleet.dir.path().join("role.yml");
    std::fs::write(
        &playbook,
        "- hosts: all\n  gather_facts: false\n  roles:\n    - aio.host.plumbing\n",
    )
    .unwrap();
    let (out, first) = fleet.play(&playbook, &[]);
    assert!(out.status.success(), "{}", common::said(&out));
    assert_eq!(changed(&first), ["node-a"]);
    let dir = fleet.dir.path();
    let written = std::fs::read_to_string(dir.join("etc/topology.toml")).unwrap();
    assert!(written.contains("\"net.ipv4.ip_forward\" = 1"), "{written}");
    assert!(dir.join("bin/aio").exists());
    let unit = std::fs::read_to_string(dir.join("units/aio.service")).unwrap();
    assert!(unit.contains("watch -f"), "{unit}");
    let a = fleet.sandbox("node-a");
    assert!(
        a.ip(&["addr", "show", "dev", "dummy1"])
            .contains("10.0.2.2/24")
    );
    assert_eq!(
        common::stdout(&a.exec(&["cat", "/proc/sys/net/ipv4/ip_forward"])).trim(),
        "1"
    );
    let (out, second) = fleet.play(&playbook, &[]);
    assert!(out.status.success(), "{}", common::said(&out));
    assert!(changed(&second).is_empty(), "{second:#}");
}

/// The sanity tests of `ansible-test` that need nothing from the network
/// (the others, `ansible-doc`, `import`, `pep8`, `pylint`,
/// `runtime-metadata`, `validate-modules` and `yamllint`, install their
/// requirements into venvs of their own first).
const OFFLINE_SANITY: [&str; 14] = [
    "action-plugin-docs",
    "compile",
    "empty-init",
    "ignores",
    "line-endings",
    "no-assert",
    "no-get-exception",
    "no-illegal-filenames",
    "no-smart-quotes",
    "replace-urlopen",
    "shebang",
    "symlinks",
    "use-argspec-type-path",
    "use-compat-six",
];

#[test]
fn ansible_test_sanity_passes_offline() {
    if common::kolla::no_venv() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let mut sanity = ansible("ansible-test", home.path());
    sanity
        .env("HOME", home.path())
        .current_dir(common::root().join("ansible/ansible_collections/aio/host"))
        .args(["sanity", "--python", "3.11"]);
    for test in OFFLINE_SANITY {
        sanity.args(["--test", test]);
    }
    let out = sanity.output().unwrap();
    assert!(out.status.success(), "{}", common::said(&out));
    let said = common::said(&out);
    for test in OFFLINE_SANITY {
        assert!(
            said.contains(&format!("Running sanity test \"{test}\"")),
            "{said}"
        );
    }
}
