//! What an operator sees: `aio init`, `plan --json` against its schema and a
//! snapshot, colour only when wanted, logs with `-v`/`-vv`, shell completions.
//! Everything that looks at a network runs in a sandbox namespace.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::topology::{DUMMY1, FORWARDING, MASQUERADE, VETH_TO_DUMMY1};
use common::{Sandbox, root, run, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The keys of JSON object `v`, in their order.
fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

/// A small fixed topology: a bridge with an address, a veth pair, forwarding,
/// NAT and an OVS bridge with a tagged port on the sandbox's ovsdb-server.
fn fixed(sb: &Sandbox) -> PathBuf {
    let text = format!(
        r#"version = 1

[host]
uplink = "eth0"
{FORWARDING}{DUMMY1}{VETH_TO_DUMMY1}{MASQUERADE}
[ovs]
db = "{}"

[ovs.bridges.br0.ports.veth-ovs]
tag = 1718
"#,
        sb.ovsdb.unix()
    );
    sb.topology("fixed.toml", &text)
}

#[test]
fn init_writes_a_starter_that_validates_names_the_uplink_and_plans() {
    let sb = Sandbox::new();
    let path = sb.state.path().join("topology.toml");
    let p = path.to_str().unwrap();
    let out = run(&["init", "-f", p, "--netns", &sb.ns]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("uplink: eth0 (192.0.2.10/24"));
    let starter = std::fs::read_to_string(&path).unwrap();
    assert!(starter.contains("# Found by aio init: eth0 (192.0.2.10/24, gateway 192.0.2.1)."));
    assert!(starter.contains("on 192.0.2.0/24 (eth0's subnet)"));

    let out = run(&["validate", "-f", p]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{p}: valid (5 interfaces)\n"));

    // With --netns it is a rehearsal: Kolla's files below the namespace's
    // sandbox dir, a private OVSDB; pointed at the sandbox's, it plans there.
    let dir = format!("/var/lib/aio/netns/{}", sb.ns);
    assert!(
        starter.contains(&format!("config_dir = \"{dir}/kolla/etc\"")),
        "{starter}"
    );
    let private_db = format!("db = \"unix:{dir}/ovs/db.sock\"");
    assert!(starter.contains(&private_db), "{starter}");
    let safe = starter.replace(&private_db, &format!("db = \"{}\"", sb.ovsdb.unix()));
    let safe = sb.topology("starter-sandboxed.toml", &safe);
    let ids: Vec<String> = sb.plan(&safe).into_iter().map(|(id, _)| id).collect();
    for id in ["link/dummy1", "nat/eth0/10.0.2.0/24", "kolla/deployment"] {
        assert!(ids.iter().any(|i| i == id), "no {id} in {ids:?}");
    }
}

#[test]
fn init_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("topology.toml");
    std::fs::write(&path, "# mine\n").unwrap();
    let out = run(&["init", "-f", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("already exists; aio init never overwrites a file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");
}

#[test]
fn init_refuses_an_uplink_that_does_not_exist() {
    let sb = Sandbox::new();
    let path = sb.state.path().join("topology.toml");
    let out = run(&[
        "init",
        "-f",
        path.to_str().unwrap(),
        "--netns",
        &sb.ns,
        "--uplink",
        "ens9",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("the uplink \"ens9\" does not exist"));
    assert!(!path.exists());
}

/// The plan with what differs between runs (the namespace's name) made fixed.
fn normalized(doc: &Value, sb: &Sandbox) -> String {
    serde_json::to_string_pretty(doc)
        .unwrap()
        .replace(&sb.ns, "NETNS")
        + "\n"
}

#[test]
fn plan_json_matches_its_schema_and_snapshot() {
    let sb = Sandbox::new();
    let out = sb.aio("plan", &fixed(&sb), &["--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();

    let schema_path = root().join("docs/plan.schema.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
    jsonschema::meta::validate(&schema).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    assert_eq!(
        keys(&doc),
        [
            "format_version",
            "facts",
            "changes",
            "waiting",
            "unavailable",
            "summary"
        ]
    );
    for change in doc["changes"].as_array().unwrap() {
        assert_eq!(
            keys(change),
            [
                "id", "provider", "action", "before", "after", "detail", "deps"
            ]
        );
    }

    // The whole document, against the snapshot; AIO_UPDATE_SNAPSHOTS=1 rewrites it.
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/plan.json");
    let got = normalized(&doc, &sb);
    if std::env::var_os("AIO_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(snapshot.parent().unwrap()).unwrap();
        std::fs::write(&snapshot, &got).unwrap();
    }
    let want = std::fs::read_to_string(&snapshot).unwrap_or_default();
    assert!(
        got == want,
        "plan --json differs from {} (AIO_UPDATE_SNAPSHOTS=1 rewrites it):\n{got}",
        snapshot.display()
    );
}

#[test]
fn plan_is_coloured_only_when_wanted() {
    let sb = Sandbox::new();
    let topology = fixed(&sb);
    let plan = |env: &[(&str, &str)], extra: &[&str]| {
        let out = sb.aio_with(env, "plan", &topology, extra);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let plain = plan(&[], &[]);
    assert!(!plain.contains('\x1b'), "colour on a pipe:\n{plain}");
    assert!(plain.contains("  + link/dummy1  (kind=bridge, state=up)\n"));

    let always = plan(&[("NO_COLOR", "1")], &["--color", "always"]);
    assert!(
        always.contains("\x1b[32m  + link/dummy1  (kind=bridge, state=up)\x1b[0m"),
        "{always:?}"
    );
    assert_eq!(anstream::adapter::strip_str(&always).to_string(), plain);

    assert_eq!(
        plan(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &[]),
        plain
    );
    assert_eq!(
        plan(&[("CLICOLOR_FORCE", "1")], &["--color", "never"]),
        plain
    );
}

#[test]
fn apply_logs_each_request_with_vv_and_nothing_without() {
    let sb = Sandbox::new();
    let topology = fixed(&sb);
    let quiet = sb.aio("plan", &topology, &[]);
    assert!(quiet.status.success());
    assert_eq!(stderr(&quiet), "");

    let out = sb.aio("apply", &topology, &["--yes", "-vv"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    for event in [
        "netlink: + link/dummy1",
        "netlink request: new link",
        "netlink request: new address",
        "nft batch: ",
        "OVSDB transact: ",
    ] {
        assert!(err.contains(event), "no `{event}` in:\n{err}");
    }
    assert!(!err.contains('\x1b'), "colour on a pipe:\n{err}");

    // -v: what each provider changes, not the requests.
    sb.ip(&["link", "set", "dummy1", "down"]);
    let out = sb.aio("apply", &topology, &["--yes", "-v"]);
    let err = stderr(&out);
    assert!(err.contains("netlink: ~ link/dummy1"), "{err}");
    assert!(!err.contains("netlink request"), "{err}");
}

#[test]
fn long_values_are_cut_short_unless_verbose() {
    let sb = Sandbox::new();
    let ports: Vec<String> = (30000..30030).map(|p| p.to_string()).collect();
    let ports = ports.join(",");
    let topology = sb.topology(
        "long.toml",
        &format!(
            "version = 1\n[host]\nuplink = \"eth0\"\n[sysctl]\n\"net.ipv4.ip_local_reserved_ports\" = \"{ports}\"\n"
        ),
    );
    let out = sb.aio("plan", &topology, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let short: String = ports.chars().take(79).collect();
    let printed = stdout(&out);
    assert!(printed.contains(&format!(" -> {short}…\n")), "{printed}");
    assert!(!printed.contains(&ports));
    assert!(stderr(&out).contains("-v shows them whole"));

    let out = sb.aio("plan", &topology, &["-v"]);
    assert!(stdout(&out).contains(&format!(" -> {ports}\n")));
    let out = sb.aio("plan", &topology, &["--json"]);
    assert!(stdout(&out).contains(&ports));
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef aio"),
        ("fish", "complete -c aio"),
    ] {
        let out = run(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell}: no `{marker}`");
        for command in ["init", "validate", "plan", "apply"] {
            assert!(script.contains(command), "{shell}: no `{command}`");
        }
    }
}

#[test]
fn validate_reports_every_error_of_the_file_at_once_as_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("three.toml");
    // An unknown key, a bad address and a bad VLAN tag, in three tables.
    std::fs::write(
        &path,
        "version = 1\n[interfaces.dummy1]\ntype = \"bridge\"\nadress = [\"10.0.2.2/24\"]\n\
         [interfaces.dummy2]\ntype = \"bridge\"\naddresses = [\"10.0.2.300/24\"]\n\
         [ovs.bridges.br0.ports.p0]\ntype = \"internal\"\ntag = 5000\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let out = run(&["validate", "-f", p]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for at in [":4:1:", ":7:14:", ":10:7:"] {
        assert!(err.contains(&format!("{p}{at}")), "no {at} in:\n{err}");
    }
    assert!(err.contains("3 errors"), "{err}");

    let out = run(&["validate", "--json", "-f", p]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/validate.schema.json")).unwrap(),
    )
    .unwrap();
    jsonschema::meta::validate(&schema).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&doc), "{doc:#}");
    let lines: Vec<u64> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [4, 7, 10]);
    assert_eq!(doc["valid"], false);
}
