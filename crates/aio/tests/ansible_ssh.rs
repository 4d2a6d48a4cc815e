//! Multinode through real SSH and real Ansible: a switch namespace (a
//! sandbox host with bridge `sw`) joins a controller namespace and three
//! host namespaces. Each host runs its own `sshd` (Debian's
//! openssh-server), listening only on its address inside its namespace, with
//! a key this test makes. From the controller, `ansible-playbook` (the kolla
//! venv's ansible-core) applies each host's topology (host_vars) over SSH,
//! so aio runs inside the host's namespace with no `--netns`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::ansible::{
    FIXTURES, ansible, changed, hosts_with, link_exists, parse, result, topology, venv_bin,
};
use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};

const SSHD: &str = "/usr/sbin/sshd";
const SWITCH: &str = "198.51.100.1";

/// An `sshd` inside a host namespace; killed (by its pid) on drop.
struct Sshd(Child);

impl Sshd {
    fn start(ns: &str, address: &str, dir: &Path, name: &str) -> Sshd {
        let config = dir.join(format!("sshd-{name}.conf"));
        std::fs::write(
            &config,
            format!(
                "ListenAddress {address}\nHostKey {key}\nAuthorizedKeysFile {keys}\n\
                 PidFile none\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n\
                 Subsystem sftp /usr/lib/openssh/sftp-server\n",
                key = dir.join("host_key").display(),
                keys = dir.join("authorized_keys").display(),
            ),
        )
        .unwrap();
        let child = Command::new("ip")
            .args(["netns", "exec", ns, SSHD, "-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let sshd = Sshd(child);
        let listening = || {
            !aio_sandbox::exec_in(ns, &["ss", "-Hltn", &format!("src {address}:22")])
                .stdout
                .is_empty()
        };
        let what = format!("sshd in {ns} listening on {address}:22");
        common::poll::wait_until(std::time::Duration::from_secs(10), &what, listening);
        sshd
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn keygen(args: &[&str]) {
    let out = Command::new("ssh-keygen").args(args).output().unwrap();
    assert!(out.status.success(), "{}", common::said(&out));
}

#[test]
fn three_hosts_over_ssh_converge_show_drift_and_survive_one_unreachable() {
    if common::kolla::no_venv() {
        return;
    }
    assert!(
        Path::new(SSHD).exists(),
        "{SSHD} is missing: install openssh-server (cargo xtask ci does)"
    );
    // Debian's sshd needs its privilege separation directory.
    std::fs::create_dir_all("/run/sshd").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for key in ["host_key", "id"] {
        let file = d.join(key).display().to_string();
        keygen(&["-q", "-t", "ed25519", "-N", "", "-f", &file]);
    }
    std::fs::copy(d.join("id.pub"), d.join("authorized_keys")).unwrap();

    let switch = aio_sandbox::Sandbox::new(&format!("aio-ssh{}", std::process::id()));
    switch.ip(&["link", "add", "sw", "type", "bridge"]);
    switch.ip(&["addr", "add", &format!("{SWITCH}/24"), "dev", "sw"]);
    switch.ip(&["link", "set", "sw", "up"]);
    let controller = switch.guest("ctl", Some("sw"), "198.51.100.2/24", Some(SWITCH));
    let names = ["node1", "node2", "node3"];
    let mut hosts = Vec::new();
    let mut sshds = Vec::new();
    let mut inventory = String::from("all:\n  hosts:\n");
    for (i, name) in names.iter().enumerate() {
        let address = format!("198.51.100.{}", 11 + i);
        let guest = switch.guest(
            &format!("h{i}"),
            Some("sw"),
            &format!("{address}/24"),
            Some(SWITCH),
        );
        sshds.push(Some(Sshd::start(&guest.ns, &address, d, name)));
        let src = d.join(format!("{name}.toml"));
        std::fs::write(&src, topology(2 + i as u8)).unwrap();
        inventory += &format!(
            "    {name}:\n      ansible_host: {address}\n      aio_src: {}\n      \
             aio_state_dir: {}\n",
            src.display(),
            d.join(format!("state-{name}")).display()
        );
        hosts.push(guest);
    }
    inventory += &format!(
        "  vars:\n    ansible_user: root\n    ansible_ssh_private_key_file: {}\n    \
         ansible_ssh_common_args: -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null\n    \
         ansible_python_interpreter: {}\n    aio_bin: {}\n",
        d.join("id").display(),
        venv_bin("python").display(),
        env!("CARGO_BIN_EXE_aio"),
    );
    std::fs::write(d.join("hosts.yml"), &inventory).unwrap();
    // The same playbook as the namespace test, without --netns: sshd's
    // namespace is the host's.
    let playbook = d.join("ssh.yml");
    let fixture = std::fs::read_to_string(Path::new(FIXTURES).join("topology.yml")).unwrap();
    std::fs::write(
        &playbook,
        fixture.replace("netns: \"{{ aio_netns }}\"", "netns: \"{{ omit }}\""),
    )
    .unwrap();

    let play = |args: &[&str]| -> (bool, Value) {
        let out = Command::new("ip")
            .args(["netns", "exec", &controller.ns])
            .arg(common::ansible::venv_bin("ansible-playbook"))
            .envs(
                ansible("ansible-playbook", d)
                    .get_envs()
                    .filter_map(|(k, v)| v.map(|v| (k, v))),
            )
            .env_remove("ANSIBLE_CONFIG")
            .current_dir(d)
            .arg("-i")
            .arg(d.join("hosts.yml"))
            .arg(&playbook)
            .args(args)
            .output()
            .unwrap();
        (out.status.success(), parse(&out))
    };

    let started = std::time::Instant::now();
    let (ok, first) = play(&[]);
    assert!(ok, "{first:#}");
    assert_eq!(changed(&first), names);
    for host in &hosts {
        assert!(link_exists(&host.ns, "veth-ovs") && link_exists(&host.ns, "dummy1"));
    }
    // aio ran in each host's namespace, not the controller's or the switch's.
    assert!(!link_exists(&controller.ns, "dummy1"));
    assert!(!link_exists(&switch.ns, "dummy1"));
    let (ok, second) = play(&[]);
    assert!(ok && changed(&second).is_empty(), "{second:#}");

    aio_sandbox::exec_in(&hosts[1].ns, &["ip", "link", "del", "veth-ovs"]);
    let (ok, check) = play(&["--check", "--diff"]);
    assert!(ok);
    assert_eq!(changed(&check), ["node2"]);
    let diff = serde_json::to_string(&result(&check, "node2")["diff"]).unwrap();
    assert!(diff.contains("link/veth-ovs (create)"), "{diff}");
    assert!(
        !link_exists(&hosts[1].ns, "veth-ovs"),
        "--check repaired the veth"
    );

    // node3's sshd goes down: it is unreachable, the others converge.
    drop(sshds[2].take());
    let (ok, last) = play(&[]);
    assert!(!ok, "a run with an unreachable host succeeded");
    assert_eq!(hosts_with(&last, "unreachable"), ["node3"]);
    assert_eq!(changed(&last), ["node2"]);
    assert!(link_exists(&hosts[1].ns, "veth-ovs"));
    eprintln!(
        "four runs over SSH in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
