//! A link aio made carries aio's mark (its alias, `IFLA_IFALIAS`, set to
//! `aio:TOKEN`, a token recorded in state.json), so another link made under
//! the same name, even forced onto the same ifindex, as after a reboot when
//! indexes start low again, is not aio's: `plan` says so and `destroy`
//! leaves it. A state written before links were marked still loads; its
//! links are not aio's until `aio adopt` takes them back and marks them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::topology::HEAD;
use common::{Sandbox, said, stdout};
use serde_json::Value;
use std::path::PathBuf;

/// A sandbox where aio made the bridge `dummy1` and the veth pair
/// `veth-ovs`/`veth-br`; the topology that declares them.
fn made_by_aio() -> (Sandbox, PathBuf) {
    let sb = Sandbox::new();
    let t = sb.topology(
        "t.toml",
        &format!(
            "{HEAD}[interfaces.dummy1]\ntype = \"bridge\"\n\n\
             [interfaces.veth-ovs]\ntype = \"veth\"\npeer = \"veth-br\"\n\n\
             [interfaces.veth-br]\nmaster = \"dummy1\"\n"
        ),
    );
    sb.apply(&t);
    (sb, t)
}

/// The alias of link `name`, if it has one.
fn alias(sb: &Sandbox, name: &str) -> Option<String> {
    sb.links()[name]["ifalias"].as_str().map(str::to_string)
}

fn ifindex(sb: &Sandbox, name: &str) -> u64 {
    sb.links()[name]["ifindex"].as_u64().unwrap()
}

/// What `aio state list --json` says of `id`.
fn owned(sb: &Sandbox, id: &str) -> Option<Value> {
    let list = common::run(&[
        "state",
        "list",
        "--json",
        "--state-dir",
        sb.state.path().to_str().unwrap(),
    ]);
    assert!(list.status.success(), "{}", said(&list));
    let doc: Value = serde_json::from_str(&stdout(&list)).unwrap();
    doc["owned"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .cloned()
}

#[test]
fn every_link_aio_makes_carries_its_own_mark_recorded_in_the_state() {
    let (sb, _) = made_by_aio();
    let mut marks = Vec::new();
    for name in ["dummy1", "veth-ovs", "veth-br"] {
        let mark = alias(&sb, name).unwrap_or_else(|| panic!("{name} has no alias"));
        assert!(
            mark.starts_with("aio:") && mark.len() > 12,
            "{name}: {mark}"
        );
        let entry = owned(&sb, &format!("link/{name}")).unwrap();
        let identity = entry["identity"].as_str().unwrap();
        assert!(
            identity.ends_with(&mark) && identity.contains(&format!("#{}", ifindex(&sb, name))),
            "{name}: state.json has {identity}, the link {mark}"
        );
        marks.push(mark);
    }
    marks.sort();
    marks.dedup();
    assert_eq!(marks.len(), 3, "one mark per link: {marks:?}");
}

#[test]
fn a_foreign_link_with_aio_s_name_and_ifindex_is_never_deleted() {
    let (sb, t) = made_by_aio();
    let index = ifindex(&sb, "dummy1").to_string();

    // Gone, and another tool's dummy1 forced onto the same index.
    sb.ip(&["link", "del", "dummy1"]);
    sb.ip(&["link", "add", "dummy1", "index", &index, "type", "bridge"]);
    assert_eq!(ifindex(&sb, "dummy1").to_string(), index);

    let preview = sb.aio("plan", &t, &["--destroy"]);
    assert!(preview.status.success(), "{}", said(&preview));
    let shown = stdout(&preview);
    assert!(
        !shown.contains("- link/dummy1"),
        "destroy would delete the foreign dummy1:\n{shown}"
    );
    assert!(
        shown.contains("link/dummy1 released: made again by someone else"),
        "{shown}"
    );
    let plan = sb.plan_text(&t);
    assert!(
        plan.contains("link/dummy1 released: made again by someone else"),
        "{plan}"
    );

    let destroy = sb.aio("destroy", &t, &["--yes"]);
    assert!(destroy.status.success(), "{}", said(&destroy));
    let links = sb.links();
    assert!(
        links.contains_key("dummy1"),
        "destroy deleted the foreign dummy1"
    );
    assert_eq!(ifindex(&sb, "dummy1").to_string(), index);
    assert!(!links.contains_key("veth-ovs"), "aio's own veth is left");
}

#[test]
fn a_state_from_before_marks_loads_and_its_links_are_aio_s_again_once_adopted() {
    let (sb, t) = made_by_aio();
    // state.json as an aio that did not mark links wrote it: kind#ifindex only.
    let path = sb.state.path().join("state.json");
    let mut state: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for entry in state["owned"].as_object_mut().unwrap().values_mut() {
        if let Some(identity) = entry["identity"].as_str() {
            let legacy = identity.split(' ').next().unwrap().to_string();
            entry["identity"] = Value::String(legacy);
        }
    }
    std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();

    // Name and ifindex alone prove nothing: not aio's, and destroy leaves it.
    let plan = sb.plan_text(&t);
    assert!(
        plan.contains("link/dummy1 released: made again by someone else"),
        "{plan}"
    );
    sb.apply(&t);
    assert_eq!(owned(&sb, "link/dummy1"), None);

    // aio adopt takes them back, and marks them.
    let root = tempfile::tempdir().unwrap();
    let adopt = sb.aio(
        "adopt",
        &t,
        &["--yes", "--root", root.path().to_str().unwrap()],
    );
    assert!(adopt.status.success(), "{}", said(&adopt));
    assert!(stdout(&adopt).contains("= link/dummy1"), "{}", said(&adopt));
    let mark = alias(&sb, "dummy1").unwrap();
    let identity = owned(&sb, "link/dummy1").unwrap()["identity"].clone();
    assert!(
        identity.as_str().unwrap().ends_with(&mark),
        "{identity} {mark}"
    );
    let destroy = sb.aio("destroy", &t, &["--yes"]);
    assert!(destroy.status.success(), "{}", said(&destroy));
    assert!(!sb.links().contains_key("dummy1"));
}
