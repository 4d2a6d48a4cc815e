//! What aio owns, as an operator inspects and changes it: `aio state list`,
//! `aio state rm` (aio forgets an object and never deletes it),
//! `aio plan --destroy` (the destroy preview), `aio schema` and `aio --version`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Sandbox, root, run, said, stdout};

#[test]
fn an_object_handed_back_with_state_rm_survives_destroy() {
    let sb = Sandbox::new();
    let t = sb.reference();
    sb.apply(&t);
    let dir = sb.state.path().to_str().unwrap();
    let list = run(&["state", "list", "--state-dir", dir]);
    assert!(list.status.success(), "{}", said(&list));
    assert!(
        stdout(&list).contains("link/dummy1  (netlink, bridge#"),
        "{}",
        said(&list)
    );

    // The preview names what destroy would delete, and changes nothing.
    let preview = sb.aio("plan", &t, &["--destroy", "--detailed-exitcode"]);
    assert_eq!(preview.status.code(), Some(2), "{}", said(&preview));
    assert!(
        stdout(&preview).contains("  - link/dummy1"),
        "{}",
        said(&preview)
    );
    assert!(sb.links().contains_key("dummy1"));

    let rm = run(&["state", "rm", "link/dummy1", "--state-dir", dir]);
    assert!(rm.status.success(), "{}", said(&rm));
    let again = run(&["state", "rm", "link/dummy1", "--state-dir", dir]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        said(&again).contains("aio does not own link/dummy1"),
        "{}",
        said(&again)
    );

    let destroy = sb.aio("destroy", &t, &["--yes"]);
    assert!(destroy.status.success(), "{}", said(&destroy));
    let links = sb.links();
    assert!(links.contains_key("dummy1"), "handed back, yet deleted");
    assert!(!links.contains_key("veth-ovs"), "aio's own link is left");
    let list = stdout(&run(&["state", "list", "--state-dir", dir, "--json"]));
    let doc: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(doc["owned"].as_array().unwrap().len(), 0, "{list}");
}

#[test]
fn a_destroy_preview_cannot_be_saved_and_schemas_are_the_documented_ones() {
    let refused = run(&["plan", "--destroy", "--out", "/tmp/never.json"]);
    assert_eq!(refused.status.code(), Some(2), "clap's usage error");
    assert!(said(&refused).contains("--out"), "{}", said(&refused));
    for (kind, file) in [
        ("topology", "topology.schema.json"),
        ("plan", "plan.schema.json"),
        ("apply", "apply.schema.json"),
        ("show", "show.schema.json"),
        ("validate", "validate.schema.json"),
        ("doctor", "doctor.schema.json"),
    ] {
        let out = run(&["schema", kind]);
        assert!(out.status.success(), "{}", said(&out));
        let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let documented: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(root().join("docs").join(file)).unwrap())
                .unwrap();
        assert_eq!(printed, documented, "{kind}");
    }
}

#[test]
fn the_version_names_the_commit_it_was_built_from() {
    let out = run(&["--version", "--json"]);
    assert!(out.status.success(), "{}", said(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The commit the build recorded, which must be this checkout's HEAD or,
    // if a commit landed between the build and this run, in its history.
    let built = env!("AIO_COMMIT");
    assert_eq!(doc["commit"], built);
    // `--is-ancestor` also holds when the two are the same commit.
    let in_history = std::process::Command::new("git")
        .args(["merge-base", "--is-ancestor", built, "HEAD"])
        .current_dir(root())
        .status()
        .unwrap();
    assert!(
        in_history.success(),
        "built from {built}, which is neither HEAD nor in its history"
    );
    assert_eq!(doc["topology_format_versions"], serde_json::json!([1]));
    let text = stdout(&run(&["--version"]));
    assert!(
        text.starts_with(&format!(
            "aio {} (commit {built}, built ",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
}

#[test]
fn a_target_is_applied_with_what_it_needs_and_destroyed_with_what_needs_it() {
    let sb = Sandbox::new();
    let t = sb.reference();
    let apply = sb.aio("apply", &t, &["--yes", "--target", "link/veth-br"]);
    assert!(apply.status.success(), "{}", said(&apply));
    let links = sb.links();
    for made in ["veth-br", "veth-ovs", "dummy1"] {
        assert!(
            links.contains_key(made),
            "{made} missing:\n{}",
            said(&apply)
        );
    }
    assert!(!links.contains_key("v-lbaas"), "outside the target");

    let destroy = sb.aio("destroy", &t, &["--yes", "--target", "link/dummy1"]);
    assert!(destroy.status.success(), "{}", said(&destroy));
    assert!(!sb.links().contains_key("dummy1"));
    // veth-br is enslaved to dummy1: it goes too (and the kernel takes its
    // peer with it); veth-ovs itself does not need dummy1.
    let shown = stdout(&destroy);
    assert!(
        shown.contains("  - link/veth-br\n  - link/dummy1\n"),
        "{shown}"
    );
    assert!(!shown.contains("- link/veth-ovs"), "{shown}");

    let unknown = sb.aio("plan", &t, &["--target", "link/nope"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        said(&unknown).contains("--target link/nope"),
        "{}",
        said(&unknown)
    );
}

#[test]
fn a_saved_plan_is_shown_without_looking_at_the_system() {
    let sb = Sandbox::new();
    let t = sb.reference();
    let saved = sb.state.path().join("saved.json");
    let plan = sb.aio("plan", &t, &["--out", saved.to_str().unwrap()]);
    assert!(plan.status.success(), "{}", said(&plan));
    let show = run(&["show", saved.to_str().unwrap()]);
    assert!(show.status.success(), "{}", said(&show));
    let text = stdout(&show);
    assert!(
        text.starts_with(&format!("saved plan {}", saved.display())),
        "{text}"
    );
    assert!(text.contains(&format!("  netns: {}", sb.ns)), "{text}");
    assert!(text.contains("  + link/dummy1  (kind=bridge"), "{text}");
    assert!(!sb.links().contains_key("dummy1"), "showing applied it");
}

/// A saved plan edited after `aio plan --out` (a fact, a change's detail,
/// what waits) is refused whole, naming what differs, and changes nothing.
#[test]
fn a_saved_plan_runs_only_if_a_fresh_plan_equals_it_whole() {
    let sb = Sandbox::new();
    let t = sb.reference();
    let saved = sb.state.path().join("saved.json");
    let plan = sb.aio("plan", &t, &["--out", saved.to_str().unwrap()]);
    assert!(plan.status.success(), "{}", said(&plan));
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    type Forge = fn(&mut serde_json::Value);
    let forgeries: [(&str, Forge); 3] = [
        ("fact uplink: eth0 now, not as saved", |p| {
            p["plan"]["facts"]["uplink"] = "evil0".into();
        }),
        ("as saved", |p| {
            p["plan"]["changes"][0]["detail"] = "actions: none".into();
        }),
        ("what waits", |p| {
            p["plan"]["waiting"] = serde_json::json!([{"id": "link/dummy1", "reason": "forged"}]);
        }),
    ];
    for (named, forge) in forgeries {
        let mut doc = original.clone();
        forge(&mut doc);
        let forged = sb.state.path().join("forged.json");
        std::fs::write(&forged, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
        let shown = run(&["show", forged.to_str().unwrap()]);
        assert!(
            stdout(&shown).contains("as the file claims it"),
            "{}",
            said(&shown)
        );
        let applied = run(&["apply", "--yes", forged.to_str().unwrap()]);
        assert_eq!(
            applied.status.code(),
            Some(1),
            "{named}: {}",
            said(&applied)
        );
        let text = said(&applied);
        assert!(text.contains("nothing was changed"), "{text}");
        assert!(text.contains(named), "{named}: {text}");
        assert!(
            !text.contains("evil0") && !text.contains("actions: none"),
            "{text}"
        );
        assert!(!sb.links().contains_key("dummy1"), "{named}: applied");
    }
    // The plan as saved still runs.
    let applied = run(&["apply", "--yes", saved.to_str().unwrap()]);
    assert!(applied.status.success(), "{}", said(&applied));
    assert!(sb.links().contains_key("dummy1"));
}
