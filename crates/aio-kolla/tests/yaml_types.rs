//! `globals.d/aio.yml` read back by PyYAML (as Ansible loads it, from the real
//! kolla-ansible venv) gives exactly the values and types the TOML had.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Stdio};

const GLOBALS: &str = r#"version = 1
[kolla]
vip = "192.0.2.250"
[kolla.globals]
underscored = "1_000"
address = "10.0.2.2"
plain_word = "eth0"
version_text = "1.5"
octal_like = "017"
digits = "123"
path = "/etc/kolla"
binary = "0b101"
octal = "0o17"
hex = "0x1F"
date = "2025-01-01"
sexagesimal = "1:20"
yes_word = "yes"
off_word = "Off"
tilde = "~"
null_word = "null"
float_word = "1e3"
dot_inf = ".inf"
plus = "+1"
colon = "a: b # c"
newline = "two\nlines"
quote = "say \"hi\" \\ back"
jinja = "{{ ansible_default_ipv4.address }}"
unicode = "café ☕"
control = "bell\u0007 del\u007f"
integer = 42
negative = -7
float = 1.5
big_float = 1e100
small_float = -2.5e-7
boolean = true
list = ["yes", 1, 2.0, false]
empty_list = []
"on" = "a key YAML 1.1 reads as a boolean"
[kolla.globals.table]
inner = "no"
deeper = { x = "0x10", y = [["nested"]] }
"#;

#[test]
fn pyyaml_reads_back_every_type_the_toml_had() {
    if let Ok(why) = std::env::var("AIO_TEST_NO_KOLLA_VENV") {
        eprintln!("skipped: no kolla-ansible venv ({why})");
        return;
    }
    let python = std::path::Path::new(aio_sandbox::KOLLA_VENV).join("bin/python");
    assert!(
        python.exists(),
        "no {}: `cargo xtask ci` makes it",
        python.display()
    );
    let topology = aio_topology::parse_str("t.toml", GLOBALS).unwrap();
    let facts = aio_topology::Facts::default();
    let deployment = aio_kolla::Deployment::new(&topology, &facts)
        .unwrap()
        .unwrap();
    let yaml = &deployment.files[aio_kolla::globals::AIO_FILE];

    let mut child = Command::new(&python)
        .args([
            "-c",
            "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(yaml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}\n{yaml}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    let toml: toml::Value = toml::from_str(GLOBALS).unwrap();
    let wanted = serde_json::to_value(&toml["kolla"]["globals"]).unwrap();
    assert_eq!(
        read, wanted,
        "PyYAML read another value or type from:\n{yaml}"
    );
}
