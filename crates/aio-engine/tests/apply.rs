//! Applying: verification, and undoing a failed apply.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aio_engine::*;
use common::*;
use serde_json::json;

/// A provider that fails on the object named `name`, and a state directory.
fn failing_on(name: &'static str) -> (Memory, tempfile::TempDir) {
    let mem = Memory {
        fail_on: Some(name),
        ..Memory::default()
    };
    (mem, tempfile::tempdir().unwrap())
}

#[tokio::test]
async fn an_apply_that_did_not_take_fails_verification() {
    let (mem, dir) = (
        Memory {
            sticky: true,
            ..Memory::default()
        },
        tempfile::tempdir().unwrap(),
    );
    let e = engine(&mem, &dir);
    let desired = vec![res("a", "bridge", &[])];
    let err = plan_and_apply(&e, &desired).await.unwrap_err();
    let ApplyError::NotConverged { left, .. } = err else {
        panic!("{err}")
    };
    assert_eq!(actions(&left), [("obj/a".into(), Action::Create)]);
}

#[tokio::test]
async fn a_failed_verification_undoes_what_the_apply_made() {
    // `b` takes no write (a kernel that silently refused it); `a` did.
    let (mem, dir) = (Memory::default(), tempfile::tempdir().unwrap());
    let stuck = Memory {
        sticky: true,
        name: Some("stuck"),
        objects: mem.objects.clone(),
        ..Memory::default()
    };
    let e = engine(&mem, &dir).with_provider(Box::new(stuck));
    let mut b = res("b", "bridge", &["a"]);
    b.provider = "stuck".into();
    let desired = vec![res("a", "bridge", &[]), b];
    let err = plan_and_apply(&e, &desired).await.unwrap_err();
    let ApplyError::NotConverged { rolled_back, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(rolled_back, &[obj("a")], "{err}");
    assert!(mem.objects.lock().unwrap().is_empty(), "a is left");
    assert!(State::load(dir.path()).unwrap().owned.is_empty());
}

#[tokio::test]
async fn a_failed_apply_deletes_what_it_created_and_restores_what_it_changed() {
    let (mem, dir) = failing_on("c");
    mem.put(obj("x"), json!({"kind": "veth"}));
    let e = engine(&mem, &dir);
    let mut x = res("x", "bridge", &[]);
    x.replace_on = &[];
    let desired = vec![
        x,
        res("a", "bridge", &[]),
        res("b", "bridge", &["a"]),
        res("c", "bridge", &["b"]),
    ];
    let plan = e.plan(&desired).await.unwrap();
    let err = e.apply(&plan, &desired).await.unwrap_err();
    let ApplyError::Failed { rolled_back, .. } = &err else {
        panic!("{err}")
    };
    let undone: Vec<String> = rolled_back.iter().map(ToString::to_string).collect();
    assert_eq!(undone, ["obj/b", "obj/a", "obj/x"], "newest first");
    assert!(
        err.to_string().contains("rolled back: obj/b, obj/a, obj/x"),
        "{err}"
    );
    let objects = mem.objects.lock().unwrap().clone();
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert_eq!(objects[&obj("x")]["kind"], "veth");
    drop(objects);
    assert!(
        State::load(dir.path()).unwrap().owned.is_empty(),
        "undone objects are still owned"
    );
}

#[tokio::test]
async fn without_rollback_a_failed_apply_leaves_what_it_did() {
    let (mem, dir) = failing_on("b");
    let mut e = engine(&mem, &dir);
    e.set_rollback(false);
    let desired = vec![res("a", "bridge", &[]), res("b", "bridge", &["a"])];
    let err = plan_and_apply(&e, &desired).await.unwrap_err();
    assert!(
        matches!(&err, ApplyError::Failed { rolled_back, .. } if rolled_back.is_empty()),
        "{err}"
    );
    assert!(mem.objects.lock().unwrap().contains_key(&obj("a")));
    assert!(
        e.plan(&desired)
            .await
            .unwrap()
            .changes
            .iter()
            .all(|c| c.id.name() == "b")
    );
}

#[tokio::test]
async fn a_failed_apply_owns_only_what_it_made_not_what_later_batches_were_to_create() {
    let (mem, dir) = failing_on("b");
    let mut e = engine(&mem, &dir);
    e.set_rollback(false);
    let desired = vec![
        res("a", "bridge", &[]),
        res("b", "bridge", &["a"]),
        res("c", "bridge", &["b"]),
    ];
    plan_and_apply(&e, &desired).await.unwrap_err();
    let owned: Vec<String> = State::load(dir.path())
        .unwrap()
        .owned
        .keys()
        .map(ToString::to_string)
        .collect();
    assert_eq!(owned, ["obj/a"], "b failed and c was never made");
}

#[tokio::test]
async fn a_failure_names_the_change_that_failed_and_counts_what_its_batch_made() {
    let (mem, dir) = failing_on("c");
    let mut e = engine(&mem, &dir);
    e.set_rollback(false);
    // Independent: one batch, in which the provider makes a and b, then fails on c.
    let desired = vec![
        res("a", "bridge", &[]),
        res("b", "bridge", &[]),
        res("c", "bridge", &[]),
    ];
    let err = plan_and_apply(&e, &desired).await.unwrap_err();
    let made = mem.objects.lock().unwrap().len();
    assert_eq!(made, 2);
    assert!(
        err.to_string()
            .starts_with("obj/c failed after 2 change(s) were applied"),
        "{err}"
    );
}

#[tokio::test]
async fn a_failed_apply_carries_its_providers_kind_for_the_caller() {
    let (mem, dir) = failing_on("b");
    let e = engine(&mem, &dir);
    let desired = vec![res("a", "bridge", &[]), res("b", "bridge", &["a"])];
    let err = plan_and_apply(&e, &desired).await.unwrap_err();
    // What a caller does, decided by the kind, not by reading the message.
    let retry = match err.kind() {
        Some(ErrorKind::Unreachable | ErrorKind::Timeout) => "try again",
        Some(ErrorKind::Failed) => "read the message",
        Some(_) => "plan again",
        None => "not the provider's",
    };
    assert_eq!(retry, "read the message", "{err}");
    assert!(err.to_string().contains("obj/b cannot be made"), "{err}");
}
