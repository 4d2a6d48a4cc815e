//! Planning: dependency order, what cannot be observed or must wait, refused plans.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aio_engine::*;
use common::*;

#[tokio::test]
async fn creates_in_dependency_order_then_plans_nothing() {
    let (mem, dir) = (Memory::default(), tempfile::tempdir().unwrap());
    let desired = vec![
        res("port", "veth", &["bridge"]),
        res("bridge", "bridge", &[]),
    ];
    let e = engine(&mem, &dir);
    let plan = e.plan(&desired).await.unwrap();
    assert_eq!(
        actions(&plan),
        [
            ("obj/bridge".into(), Action::Create),
            ("obj/port".into(), Action::Create)
        ]
    );
    assert_eq!(
        plan.summary().to_string(),
        "2 to create, 0 to change, 0 to delete"
    );
    e.apply(&plan, &desired).await.unwrap();
    assert!(e.plan(&desired).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_plan_with_an_unknown_provider_or_a_change_twice_is_refused_whole() {
    let (mem, dir) = (Memory::default(), tempfile::tempdir().unwrap());
    let e = engine(&mem, &dir);
    let desired = vec![res("a", "bridge", &[])];
    let plan = e.plan(&desired).await.unwrap();
    let mut twice = plan.clone();
    twice.changes.push(twice.changes[0].clone());
    let mut bogus = plan.clone();
    bogus.changes[0].provider = "bogus".into();
    for bad in [twice, bogus] {
        let err = e.apply(&bad, &desired).await.unwrap_err();
        assert!(matches!(err, ApplyError::BadPlan(_)), "{err}");
        assert!(mem.objects.lock().unwrap().is_empty());
    }
}

#[tokio::test]
async fn cycles_and_unknown_providers_are_plan_errors() {
    let (mem, dir) = (Memory::default(), tempfile::tempdir().unwrap());
    let e = engine(&mem, &dir);
    let err = e
        .plan(&[res("a", "x", &["b"]), res("b", "x", &["a"])])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cycle"), "{err}");
    let mut other = res("c", "x", &[]);
    other.provider = "ghost".into();
    assert!(matches!(
        e.plan(&[other]).await.unwrap_err(),
        PlanError::NoProvider { .. }
    ));
}

#[tokio::test]
async fn a_provider_that_cannot_observe_holds_back_only_its_resources_and_their_dependents() {
    let (mem, dir) = (Memory::default(), tempfile::tempdir().unwrap());
    let e = with_ovs_down(&mem, &dir);
    let mut port = res("port", "port", &[]);
    port.provider = "ovs".into();
    let desired = vec![res("a", "bridge", &[]), port, res("b", "veth", &["port"])];
    let plan = e.plan(&desired).await.unwrap();
    assert_eq!(actions(&plan), [("obj/a".into(), Action::Create)]);
    let held: Vec<_> = plan
        .unavailable
        .iter()
        .map(|p| format!("{}: {}", p.id, p.reason))
        .collect();
    assert_eq!(
        held,
        [
            "obj/port: cannot observe ovs: cannot connect to unix:/nowhere",
            "obj/b: waits for obj/port"
        ]
    );
    e.apply(&plan, &desired).await.unwrap();
    assert!(mem.objects.lock().unwrap().contains_key(&obj("a")));
    assert_eq!(
        e.plan(&desired).await.unwrap().summary().to_string(),
        "0 to create, 0 to change, 0 to delete, 2 unavailable"
    );
}

#[tokio::test]
async fn a_waiting_change_and_its_dependents_are_left_for_later() {
    let (mem, dir) = (
        Memory {
            blocked: Some("port"),
            ..Memory::default()
        },
        tempfile::tempdir().unwrap(),
    );
    let e = engine(&mem, &dir);
    let desired = vec![
        res("port", "port", &[]),
        res("a", "bridge", &[]),
        res("b", "x", &["port"]),
    ];
    let plan = e.plan(&desired).await.unwrap();
    assert_eq!(actions(&plan), [("obj/a".into(), Action::Create)]);
    assert_eq!(
        plan.waiting
            .iter()
            .map(|p| p.id.to_string())
            .collect::<Vec<_>>(),
        ["obj/port", "obj/b"]
    );
    e.apply(&plan, &desired).await.unwrap();
    let again = e.plan(&desired).await.unwrap();
    assert!(again.is_empty() && !again.is_converged());
    assert!(
        again
            .waiting
            .iter()
            .any(|p| p.id == obj("port") && p.reason.to_string() == "its bridge is not there yet"),
        "{again:?}"
    );
}

#[tokio::test]
async fn what_cannot_be_observed_waits_only_for_the_resource_that_provides_it() {
    let (mem, dir) = (Memory::default(), tempfile::tempdir().unwrap());
    let e = with_ovs_down(&mem, &dir);
    let on = |name: &'static str, r: Resource| Resource {
        provider: name.into(),
        ..r
    };
    // The port's OVSDB comes with the deployment; the link is only ordered before it.
    let port = on(
        "ovs",
        res("port", "port", &["link"]).provided_by(obj("deploy")),
    );
    let desired = vec![res("deploy", "x", &[]), res("link", "veth", &[]), port];
    let plan = e.plan(&desired).await.unwrap();
    let waiting: Vec<String> = plan
        .waiting
        .iter()
        .map(|p| format!("{}: {}", p.id, p.reason))
        .collect();
    assert_eq!(waiting, ["obj/port: waits for obj/deploy"]);
    assert!(plan.unavailable.is_empty(), "{plan:?}");

    // Once the deployment is made and the provider still cannot look, that is an error.
    e.apply(&plan, &desired).await.unwrap();
    let after = e.plan(&desired).await.unwrap();
    assert!(after.waiting.is_empty(), "{after:?}");
    assert_eq!(after.unavailable.len(), 1, "{after:?}");
}

#[tokio::test]
async fn a_dependency_outside_the_desired_resources_is_refused() {
    let (mem, dir) = (Memory::default(), tempfile::tempdir().unwrap());
    let e = engine(&mem, &dir);
    let err = e.plan(&[res("port", "port", &["typo"])]).await.unwrap_err();
    assert!(
        matches!(&err, PlanError::UnknownDependency { id, dep } if *id == obj("port") && *dep == obj("typo")),
        "{err}"
    );
}

/// An engine with `mem`, and an `ovs` provider that cannot observe.
fn with_ovs_down(mem: &Memory, dir: &tempfile::TempDir) -> Engine {
    let down = Memory {
        down: true,
        name: Some("ovs"),
        ..Memory::default()
    };
    Engine::new(dir.path())
        .with_provider(Box::new(mem.clone()))
        .with_provider(Box::new(down))
}

#[tokio::test]
async fn a_plan_within_a_scope_looks_only_there_and_keeps_the_rest() {
    let (mem, dir) = (Memory::default(), tempfile::tempdir().unwrap());
    let desired = [res("a", "bridge", &[]), res("b", "bridge", &["a"])];
    // aio also owns `old`, which the topology no longer wants.
    plan_and_apply(
        &engine(&mem, &dir),
        &[desired.to_vec(), vec![res("old", "bridge", &[])]].concat(),
    )
    .await
    .unwrap();
    // `a` and `old` vanish; an `ovs` provider that cannot observe is there too.
    mem.objects.lock().unwrap().remove(&obj("a"));
    mem.objects.lock().unwrap().remove(&obj("b"));
    let e = with_ovs_down(&mem, &dir);
    let port = Resource::new(obj("port"), "ovs").after(obj("a"));
    let desired = [desired.to_vec(), vec![port]].concat();
    let scope = [obj("b")].into_iter().collect();
    let plan = e.plan_within(&desired, &scope).await.unwrap();
    // Only `b`: its dependency outside the scope is taken as it is, `old`
    // is neither pruned nor released, and the provider that is down was not asked.
    assert_eq!(actions(&plan), [("obj/b".into(), Action::Create)]);
    assert!(plan.released.iter().all(|p| p.id == obj("b")), "{plan:?}");
    assert!(plan.unavailable.is_empty(), "{plan:?}");
    assert_eq!(plan.scope, Some(vec![obj("b")]));
    // The full plan sees all of it.
    let full = e.plan(&desired).await.unwrap();
    assert_eq!(full.unavailable.len(), 1, "{full:?}");
    assert_eq!(
        actions(&full),
        [
            ("obj/old".into(), Action::Delete),
            ("obj/a".into(), Action::Create),
            ("obj/b".into(), Action::Create)
        ]
    );
}
