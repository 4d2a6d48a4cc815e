//! The engine's own rules, with an in-memory provider standing in for a system.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aio_engine::*;
use async_trait::async_trait;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The attribute that plays an object's identity (its generation): objects
/// the provider makes get a new one; objects a test puts there have none
/// unless the test gives one.
const BORN: &str = "_born";
static GENERATION: AtomicU64 = AtomicU64::new(1);

/// A system of named objects with attributes; `sticky` makes it ignore writes,
/// `down` makes observing fail, and changes to `blocked` must wait.
#[derive(Clone, Default)]
struct Memory {
    objects: Arc<Mutex<BTreeMap<ResourceId, Attrs>>>,
    sticky: bool,
    down: bool,
    blocked: Option<&'static str>,
    name: Option<&'static str>,
    fail_on: Option<&'static str>,
}

#[async_trait]
impl Provider for Memory {
    fn name(&self) -> &str {
        self.name.unwrap_or("mem")
    }
    fn waiting(&self, change: &Change) -> Option<String> {
        (Some(change.id.name()) == self.blocked).then(|| "its bridge is not there yet".to_string())
    }
    async fn observe(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
        if self.down {
            return Err(ProviderError::new("cannot connect to unix:/nowhere"));
        }
        let objects = self.objects.lock().unwrap();
        let mut out = Observed::new();
        for id in ids {
            let Some(attrs) = objects.get(id) else {
                continue;
            };
            let mut attrs = attrs.clone();
            match attrs.remove(BORN) {
                Some(born) => out.insert_identified(id.clone(), attrs, Identity(born.to_string())),
                None => out.insert(id.clone(), attrs),
            }
        }
        Ok(out)
    }
    async fn apply(&self, changes: &[&Change]) -> Result<(), ProviderError> {
        let mut objects = self.objects.lock().unwrap();
        for c in changes.iter().filter(|_| !self.sticky) {
            if Some(c.id.name()) == self.fail_on && c.after.is_some() {
                let made = changes
                    .iter()
                    .take_while(|d| d.id != c.id)
                    .map(|d| d.id.clone())
                    .collect();
                return Err(
                    ProviderError::new(format!("{} cannot be made", c.id)).with_applied(made)
                );
            }
            match &c.after {
                Some(after) => objects
                    .entry(c.id.clone())
                    .or_insert_with(|| {
                        let born = GENERATION.fetch_add(1, Ordering::Relaxed);
                        json!({ BORN: born }).as_object().unwrap().clone()
                    })
                    .extend(after.clone()),
                None => drop(objects.remove(&c.id)),
            }
        }
        Ok(())
    }
}

fn res(name: &str, kind: &str, deps: &[&str]) -> Resource {
    Resource {
        id: ResourceId::new("obj", name),
        provider: "mem".into(),
        attrs: json!({"kind": kind}).as_object().unwrap().clone(),
        deps: deps.iter().map(|d| ResourceId::new("obj", d)).collect(),
        replace_on: vec!["kind".into()],
    }
}

fn engine(mem: &Memory, dir: &tempfile::TempDir) -> Engine {
    Engine::new(dir.path()).with_provider(Box::new(mem.clone()))
}

fn actions(plan: &Plan) -> Vec<(String, Action)> {
    plan.changes
        .iter()
        .map(|c| (c.id.0.clone(), c.action))
        .collect()
}

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
async fn prunes_only_what_it_created() {
    let (mem, dir) = (Memory::default(), tempfile::tempdir().unwrap());
    mem.objects.lock().unwrap().insert(
        ResourceId::new("obj", "foreign"),
        json!({"kind": "bridge"}).as_object().unwrap().clone(),
    );
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
    assert!(
        mem.objects
            .lock()
            .unwrap()
            .contains_key(&ResourceId::new("obj", "foreign"))
    );
    assert!(e.plan(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn replaces_its_own_objects_but_not_foreign_ones() {
    let (mem, dir) = (Memory::default(), tempfile::tempdir().unwrap());
    let e = engine(&mem, &dir);
    e.apply(
        &e.plan(&[res("a", "veth", &[])]).await.unwrap(),
        &[res("a", "veth", &[])],
    )
    .await
    .unwrap();
    let plan = e.plan(&[res("a", "bridge", &[])]).await.unwrap();
    assert_eq!(actions(&plan), [("obj/a".into(), Action::Replace)]);

    mem.objects.lock().unwrap().insert(
        ResourceId::new("obj", "b"),
        json!({"kind": "veth"}).as_object().unwrap().clone(),
    );
    let err = e.plan(&[res("b", "bridge", &[])]).await.unwrap_err();
    assert!(matches!(err, PlanError::InTheWay { .. }), "{err}");
    assert!(err.to_string().contains("aio did not create it"));
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
    let err = e
        .apply(&e.plan(&desired).await.unwrap(), &desired)
        .await
        .unwrap_err();
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
    let err = e
        .apply(&e.plan(&desired).await.unwrap(), &desired)
        .await
        .unwrap_err();
    let ApplyError::NotConverged { rolled_back, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(rolled_back, &[ResourceId::new("obj", "a")], "{err}");
    assert!(mem.objects.lock().unwrap().is_empty(), "a is left");
    assert!(State::load(dir.path()).unwrap().owned.is_empty());
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
    let down = Memory {
        down: true,
        name: Some("ovs"),
        ..Memory::default()
    };
    let e = Engine::new(dir.path())
        .with_provider(Box::new(mem.clone()))
        .with_provider(Box::new(down));
    let mut port = res("port", "port", &[]);
    port.provider = "ovs".into();
    let desired = vec![res("a", "bridge", &[]), port, res("b", "veth", &["port"])];
    let plan = e.plan(&desired).await.unwrap();
    assert_eq!(actions(&plan), [("obj/a".into(), Action::Create)]);
    let held: Vec<_> = plan
        .unavailable
        .iter()
        .map(|p| (p.id.0.as_str(), p.reason.as_str()))
        .collect();
    assert_eq!(
        held,
        [
            (
                "obj/port",
                "cannot observe ovs: cannot connect to unix:/nowhere"
            ),
            ("obj/b", "waits for obj/port")
        ]
    );
    e.apply(&plan, &desired).await.unwrap();
    assert!(
        mem.objects
            .lock()
            .unwrap()
            .contains_key(&ResourceId::new("obj", "a"))
    );
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
            .map(|p| p.id.0.as_str())
            .collect::<Vec<_>>(),
        ["obj/port", "obj/b"]
    );
    e.apply(&plan, &desired).await.unwrap();
    let again = e.plan(&desired).await.unwrap();
    assert!(again.is_empty() && !again.is_converged());
    assert!(
        again
            .to_string()
            .contains("… obj/port  waiting: its bridge is not there yet"),
        "{again}"
    );
}

#[tokio::test]
async fn a_failed_apply_deletes_what_it_created_and_restores_what_it_changed() {
    let (mem, dir) = (
        Memory {
            fail_on: Some("c"),
            ..Memory::default()
        },
        tempfile::tempdir().unwrap(),
    );
    mem.objects.lock().unwrap().insert(
        ResourceId::new("obj", "x"),
        json!({"kind": "veth"}).as_object().unwrap().clone(),
    );
    let e = engine(&mem, &dir);
    let mut x = res("x", "bridge", &[]);
    x.replace_on.clear();
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
    let undone: Vec<&str> = rolled_back.iter().map(|i| i.0.as_str()).collect();
    assert_eq!(undone, ["obj/b", "obj/a", "obj/x"], "newest first");
    assert!(
        err.to_string().contains("rolled back: obj/b, obj/a, obj/x"),
        "{err}"
    );
    let objects = mem.objects.lock().unwrap().clone();
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert_eq!(objects[&ResourceId::new("obj", "x")]["kind"], "veth");
    drop(objects);
    assert!(
        State::load(dir.path()).unwrap().owned.is_empty(),
        "undone objects are still owned"
    );
}

#[tokio::test]
async fn without_rollback_a_failed_apply_leaves_what_it_did() {
    let (mem, dir) = (
        Memory {
            fail_on: Some("b"),
            ..Memory::default()
        },
        tempfile::tempdir().unwrap(),
    );
    let mut e = engine(&mem, &dir);
    e.set_rollback(false);
    let desired = vec![res("a", "bridge", &[]), res("b", "bridge", &["a"])];
    let err = e
        .apply(&e.plan(&desired).await.unwrap(), &desired)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ApplyError::Failed { rolled_back, .. } if rolled_back.is_empty()),
        "{err}"
    );
    assert!(
        mem.objects
            .lock()
            .unwrap()
            .contains_key(&ResourceId::new("obj", "a"))
    );
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
async fn an_owned_object_that_vanished_is_released_not_deleted_when_someone_remakes_it() {
    let (mem, dir) = (Memory::default(), tempfile::tempdir().unwrap());
    let e = engine(&mem, &dir);
    let desired = vec![res("dummy1", "bridge", &[])];
    e.apply(&e.plan(&desired).await.unwrap(), &desired)
        .await
        .unwrap();
    let id = ResourceId::new("obj", "dummy1");
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
    assert!(plan.released[0].reason.contains("gone"));
    e.apply(&plan, &[]).await.unwrap();
    assert!(!State::load(dir.path()).unwrap().owns(&id));

    // An operator's object of the same name later is theirs.
    mem.objects.lock().unwrap().insert(
        id.clone(),
        json!({"kind": "bridge"}).as_object().unwrap().clone(),
    );
    assert!(e.plan(&[]).await.unwrap().changes.is_empty());
}

#[tokio::test]
async fn an_owned_object_made_again_by_someone_else_is_foreign() {
    let (mem, dir) = (Memory::default(), tempfile::tempdir().unwrap());
    let e = engine(&mem, &dir);
    let desired = vec![res("dummy1", "bridge", &[])];
    e.apply(&e.plan(&desired).await.unwrap(), &desired)
        .await
        .unwrap();
    let id = ResourceId::new("obj", "dummy1");
    // Deleted and made again by hand before aio looked (e.g. a killed destroy):
    // same name, another identity.
    mem.objects.lock().unwrap().insert(
        id.clone(),
        json!({"kind": "bridge", BORN: 0})
            .as_object()
            .unwrap()
            .clone(),
    );
    let plan = e.plan(&[]).await.unwrap();
    assert!(
        plan.changes.is_empty(),
        "would delete a foreign object: {plan:?}"
    );
    assert!(plan.released[0].reason.contains("someone else"), "{plan:?}");
    e.apply(&plan, &[]).await.unwrap();
    assert!(mem.objects.lock().unwrap().contains_key(&id));
    // Wanted again with another kind: in the way, not replaced.
    let err = e.plan(&[res("dummy1", "veth", &[])]).await.unwrap_err();
    assert!(matches!(err, PlanError::InTheWay { .. }), "{err}");
}
