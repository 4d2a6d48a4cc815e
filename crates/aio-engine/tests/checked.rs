//! Resources aio only checks: someone else's object the topology must agree
//! with. A difference is a conflict in the plan, never a change; the object
//! is never adopted, deleted or recorded as aio's.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::json;

fn checked(name: &str, tag: u16) -> aio_engine::Resource {
    res(name, "vlan", &[])
        .with_attrs(aio_engine::Attrs::from_value(json!({"tag": tag})).unwrap())
        .checked_only()
}

#[tokio::test]
async fn a_difference_is_a_conflict_not_a_change() {
    let mem = Memory::default();
    mem.put(obj("lb-mgmt-net"), json!({"tag": 1717}));
    let dir = tempfile::tempdir().unwrap();
    let e = engine(&mem, &dir);
    let desired = [checked("lb-mgmt-net", 1718), res("mine", "bridge", &[])];
    let plan = e.plan(&desired).await.unwrap();
    assert_eq!(
        actions(&plan),
        [("obj/mine".to_string(), aio_engine::Action::Create)]
    );
    assert!(plan.adoptable.is_empty(), "{:?}", plan.adoptable);
    let [conflict] = plan.conflicts.as_slice() else {
        panic!("one conflict, not {:?}", plan.conflicts);
    };
    assert_eq!(conflict.id, obj("lb-mgmt-net"));
    let d = &conflict.differences[0];
    assert_eq!(
        (d.key.as_str(), d.found.to_json(), d.wanted.to_json()),
        ("tag", json!(1717), json!(1718))
    );
    assert_eq!(plan.summary().conflicts, 1);
    assert!(plan.summary().to_string().ends_with("1 in conflict"));

    // Applying makes what aio owns and leaves the checked object as it was.
    plan_and_apply(&e, &desired).await.unwrap();
    assert_eq!(
        mem.objects.lock().unwrap()[&obj("lb-mgmt-net")],
        aio_engine::Attrs::from_value(json!({"tag": 1717})).unwrap()
    );
    let again = e.plan(&desired).await.unwrap();
    assert!(again.is_empty() && !again.is_converged());
    assert_eq!(again.conflicts.len(), 1);

    // Once someone fixes it, the plan converges; adoption never takes it.
    mem.put(obj("lb-mgmt-net"), json!({"tag": 1718}));
    let fixed = e.plan(&desired).await.unwrap();
    assert!(fixed.is_converged(), "{fixed:?}");
    assert!(e.plan_adoption(&desired).await.unwrap().changes.is_empty());
}

#[tokio::test]
async fn an_absent_checked_object_is_neither_made_nor_a_conflict() {
    let mem = Memory::default();
    let dir = tempfile::tempdir().unwrap();
    let plan = engine(&mem, &dir)
        .plan(&[checked("lb-mgmt-net", 1718)])
        .await
        .unwrap();
    assert!(plan.is_converged(), "{plan:?}");
}

#[tokio::test]
async fn conflicts_read_back_from_the_plan_document() {
    let mem = Memory::default();
    mem.put(obj("lb-mgmt-net"), json!({"tag": 1717}));
    let dir = tempfile::tempdir().unwrap();
    let plan = engine(&mem, &dir)
        .plan(&[checked("lb-mgmt-net", 1718)])
        .await
        .unwrap();
    let doc = serde_json::to_value(&plan).unwrap();
    assert_eq!(doc["conflicts"][0]["differences"][0]["found"], 1717);
    assert_eq!(doc["summary"]["conflicts"], 1);
    let back: aio_engine::Plan = serde_json::from_value(doc).unwrap();
    assert_eq!(back, plan);
}
