//! Ownership: only what aio made is replaced or pruned; what vanished or was remade is released.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aio_engine::*;
use common::*;
use serde_json::json;

#[tokio::test]
async fn prunes_only_what_it_created() {
    let (mem, dir) = (Memory::default(), tempfile::tempdir().unwrap());
    mem.put(obj("foreign"), json!({"kind": "bridge"}));
    let e = engine(&mem, &dir);
    let both = vec![res("mine", "bridge", &[]), res("foreign", "bridge", &[])];
    let plan = e.plan(&both).await.unwrap();
    assert_eq!(
        actions(&plan),
        [("obj/mine".into(), Action::Create)],
        "the foreign object already matches"
    );
    e.apply(&plan, &both).await.unwrap();
    let plan = e.plan(&[]).await.unwrap();
    assert_eq!(actions(&plan), [("obj/mine".into(), Action::Delete)]);
    e.apply(&plan, &[]).await.unwrap();
    assert!(mem.objects.lock().unwrap().contains_key(&obj("foreign")));
    assert!(e.plan(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn replaces_its_own_objects_but_not_foreign_ones() {
    let (mem, dir) = (Memory::default(), tempfile::tempdir().unwrap());
    let e = engine(&mem, &dir);
    plan_and_apply(&e, &[res("a", "veth", &[])]).await.unwrap();
    let plan = e.plan(&[res("a", "bridge", &[])]).await.unwrap();
    assert_eq!(actions(&plan), [("obj/a".into(), Action::Replace)]);

    mem.put(obj("b"), json!({"kind": "veth"}));
    let err = e.plan(&[res("b", "bridge", &[])]).await.unwrap_err();
    assert!(matches!(err, PlanError::InTheWay { .. }), "{err}");
    assert!(err.to_string().contains("aio did not create it"));
}

/// An engine that made `obj/dummy1`, its system and its state dir.
async fn dummy1_made() -> (Memory, tempfile::TempDir, Engine) {
    let (mem, dir) = (Memory::default(), tempfile::tempdir().unwrap());
    let e = engine(&mem, &dir);
    plan_and_apply(&e, &[res("dummy1", "bridge", &[])])
        .await
        .unwrap();
    (mem, dir, e)
}

#[tokio::test]
async fn an_owned_object_that_vanished_is_released_not_deleted_when_someone_remakes_it() {
    let (mem, dir, e) = dummy1_made().await;
    let id = obj("dummy1");
    assert!(
        State::load(dir.path()).unwrap().owned[&id]
            .identity
            .is_some()
    );

    // Deleted by hand, dropped from the file: released, nothing to delete.
    mem.objects.lock().unwrap().remove(&id);
    let plan = e.plan(&[]).await.unwrap();
    assert!(plan.changes.is_empty(), "{plan:?}");
    assert_eq!(plan.released.len(), 1);
    assert!(plan.released[0].reason.to_string().contains("gone"));
    e.apply(&plan, &[]).await.unwrap();
    assert!(!State::load(dir.path()).unwrap().owns(&id));

    // An operator's object of the same name later is theirs.
    mem.put(id.clone(), json!({"kind": "bridge"}));
    assert!(e.plan(&[]).await.unwrap().changes.is_empty());
}

#[tokio::test]
async fn an_owned_object_made_again_by_someone_else_is_foreign() {
    let (mem, _dir, e) = dummy1_made().await;
    let id = obj("dummy1");
    // Deleted and made again by hand before aio looked (e.g. a killed destroy):
    // same name, another identity.
    mem.put(id.clone(), json!({"kind": "bridge", BORN: 0}));
    let plan = e.plan(&[]).await.unwrap();
    assert!(
        plan.changes.is_empty(),
        "would delete a foreign object: {plan:?}"
    );
    assert!(
        plan.released[0].reason.to_string().contains("someone else"),
        "{plan:?}"
    );
    e.apply(&plan, &[]).await.unwrap();
    assert!(mem.objects.lock().unwrap().contains_key(&id));
    // Wanted again with another kind: in the way, not replaced.
    let err = e.plan(&[res("dummy1", "veth", &[])]).await.unwrap_err();
    assert!(matches!(err, PlanError::InTheWay { .. }), "{err}");
}
