#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use aio_engine::{Detail, DetailLine, LineKind, PLAN_FORMAT_VERSION};
use serde_json::json;

/// A plan as `aio plan` makes one: facts, a link, an address on it, Kolla's
/// deployment with its key-by-key detail, a port waiting for its bridge.
fn plan() -> Plan {
    let mut plan: Plan = serde_json::from_value(json!({
        "format_version": PLAN_FORMAT_VERSION,
        "facts": {"uplink": "eth0", "uplink_address": "192.0.2.10"},
        "changes": [
            {"id": "link/dummy1", "provider": "netlink", "action": "create",
             "before": null, "after": {"kind": "bridge", "state": "up"}},
            {"id": "address/dummy1/10.0.2.2/24", "provider": "netlink", "action": "create",
             "before": null, "after": {"interface": "dummy1", "address": "10.0.2.2/24"},
             "deps": ["link/dummy1"]},
            {"id": "kolla/deployment", "provider": "kolla", "action": "update",
             "before": {"globals_yml": "a"}, "after": {"globals_yml": "b"}},
        ],
        "waiting": [{"id": "ovs-port/br-ex/v", "reason": "waits for ovs-bridge/br-ex",
                     "waits_for": "ovs-bridge/br-ex"}],
        "unavailable": [],
    }))
    .unwrap();
    plan.changes[2].detail = Some(Detail::Diff(vec![
        DetailLine::new(LineKind::Changed, "~ globals: horizon_port: 8080 -> 8081"),
        DetailLine::new(LineKind::Context, "actions: deploy"),
    ]));
    plan
}

fn saved(plan: Plan) -> SavedPlan {
    SavedPlan {
        aio_saved_plan: SAVED_PLAN_VERSION,
        topology: "/etc/aio/topology.toml".into(),
        topology_sha256: "00".into(),
        netns: None,
        state_dir: "/var/lib/aio".into(),
        plan,
        file: "plan.json".into(),
    }
}

fn refused(saved: &SavedPlan, now: &Plan) -> (Vec<PlanDifference>, String) {
    let error = saved.verify(now).unwrap_err();
    let text = error.to_string();
    match error {
        SavedPlanError::Changed { differences, .. } => (differences, text),
        other => panic!("not a changed plan: {other}"),
    }
}

#[test]
fn the_same_plan_made_again_is_accepted() {
    saved(plan()).verify(&plan()).unwrap();
    assert!(differences(&plan(), &plan()).is_empty());
}

#[test]
fn a_change_that_differs_is_refused_and_named_as_saved_and_as_now() {
    let mut now = plan();
    now.changes[2].detail = Some(Detail::from("actions: none"));
    let (differences, text) = refused(&saved(plan()), &now);
    let change = |side| PlanDifference::Change {
        action: Some(Action::Update),
        id: "kolla/deployment".into(),
        side,
    };
    assert_eq!(differences, [change(Side::Saved), change(Side::Now)]);
    assert_eq!(
        text,
        "the system changed since plan.json was made; nothing was changed. Changes that differ now:\n  ~ kolla/deployment (as saved)\n  ~ kolla/deployment (as now)\nRun aio plan again."
    );
}

#[test]
fn a_dependency_alone_makes_a_change_differ() {
    let mut now = plan();
    now.changes[1].deps.clear();
    let (differences, _) = refused(&saved(plan()), &now);
    assert_eq!(differences.len(), 2, "{differences:?}");
    assert!(differences.iter().all(
        |d| matches!(d, PlanDifference::Change { id, .. } if id == "address/dummy1/10.0.2.2/24")
    ));
}

#[test]
fn a_fact_that_differs_is_named_with_its_value_now_never_the_saved_one() {
    let mut forged = plan();
    forged.facts.insert("uplink".into(), "evil0".into());
    forged.facts.insert("vip".into(), "192.0.2.99".into());
    let (differences, text) = refused(&saved(forged), &plan());
    assert_eq!(
        differences,
        [
            PlanDifference::Fact {
                name: "uplink".into(),
                now: Some("eth0".into())
            },
            PlanDifference::Fact {
                name: "vip".into(),
                now: None
            },
        ]
    );
    assert!(
        text.contains("fact uplink: eth0 now, not as saved"),
        "{text}"
    );
    assert!(text.contains("fact vip: none now, not as saved"), "{text}");
    assert!(
        !text.contains("evil0") && !text.contains("192.0.2.99"),
        "{text}"
    );
}

#[test]
fn what_waits_and_what_is_noted_are_compared_too() {
    let mut now = plan();
    now.waiting.clear();
    now.scope = Some(vec![ResourceId::parse("link/dummy1").unwrap()]);
    let (differences, _) = refused(&saved(plan()), &now);
    assert_eq!(
        differences,
        [PlanDifference::Waiting, PlanDifference::Scope]
    );
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

#[test]
fn a_saved_plan_is_the_plan_document_and_reads_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let topology = dir.path().join("topology.toml");
    std::fs::write(&topology, "version = 1\n").unwrap();
    let out = dir.path().join("plan.json");
    let target = Target {
        file: topology.clone(),
        netns: Some("rehearsal".into()),
        state_dir: dir.path().join("state"),
        reruns: Vec::new(),
        targets: Vec::new(),
    };
    SavedPlan::save(&out, &target, &plan()).unwrap();

    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(doc["aio_saved_plan"], SAVED_PLAN_VERSION);
    assert_eq!(doc["plan"], serde_json::to_value(plan()).unwrap());
    assert_eq!(
        keys(&doc["plan"]),
        [
            "format_version",
            "facts",
            "changes",
            "waiting",
            "unavailable",
            "summary"
        ]
    );
    assert_eq!(doc["plan"]["format_version"], PLAN_FORMAT_VERSION);
    assert_eq!(
        doc["plan"]["summary"],
        json!({"create": 2, "change": 1, "delete": 0, "waiting": 1, "unavailable": 0})
    );
    assert_eq!(
        keys(&doc["plan"]["changes"][1]),
        [
            "id", "provider", "action", "before", "after", "detail", "deps"
        ]
    );
    assert_eq!(
        doc["plan"]["changes"][2]["detail"][0],
        json!({"kind": "changed", "text": "~ globals: horizon_port: 8080 -> 8081"})
    );

    let read = SavedPlan::read(&out).unwrap();
    assert_eq!(read.plan, plan());
    assert_eq!(read.target().netns.as_deref(), Some("rehearsal"));
    read.verify(&plan()).unwrap();

    // An earlier plan may be replaced; a file that is not a plan may not.
    SavedPlan::save(&out, &target, &plan()).unwrap();
    let other = dir.path().join("notes.txt");
    std::fs::write(&other, "mine").unwrap();
    let error = SavedPlan::save(&other, &target, &plan()).unwrap_err();
    assert!(
        matches!(
            error,
            SavedPlanError::NoOverwrite {
                why: Occupied::NotAPlan,
                ..
            }
        ),
        "{error}"
    );

    std::fs::write(&topology, "version = 1\n# edited\n").unwrap();
    let error = SavedPlan::read(&out).unwrap_err();
    assert!(
        matches!(&error, SavedPlanError::TopologyChanged(p) if *p == topology),
        "{error}"
    );
}

#[test]
fn a_document_of_another_version_or_shape_is_not_a_saved_plan() {
    let doc = serde_json::to_value(saved(plan())).unwrap();
    let parse = |doc: &Value| SavedPlan::parse(&serde_json::to_vec(doc).unwrap());
    parse(&doc).unwrap();

    let mut wrapper = doc.clone();
    wrapper["aio_saved_plan"] = 9.into();
    assert!(matches!(parse(&wrapper), Err(Unreadable::Version(9))));

    let mut version = doc.clone();
    version["plan"]["format_version"] = 1.into();
    assert!(matches!(parse(&version), Err(Unreadable::Shape(_))));

    let mut twice = doc.clone();
    let first = twice["plan"]["changes"][0].clone();
    twice["plan"]["changes"][1] = first;
    assert!(matches!(parse(&twice), Err(Unreadable::ChangedTwice(_))));

    let mut unknown = doc;
    unknown["plan"]["changes"][0]["explode"] = true.into();
    assert!(matches!(parse(&unknown), Err(Unreadable::Shape(_))));
}
