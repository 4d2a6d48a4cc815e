//! One transaction per apply, guarded by what the plan observed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aio_engine::{ApplyError, Engine, Resource};
use aio_ovs::{OvsProvider, resources};
use aio_sandbox::ovs::Ovsdb;

fn topology(db: &Ovsdb) -> aio_topology::Topology {
    let text = format!(
        "version = 1\n[ovs]\ndb = \"{}\"\n[ovs.bridges.br0]\n[ovs.bridges.br0.ports.p1]\ntag = 10\n[ovs.bridges.br0.ports.p2]\ntag = 20\n",
        db.unix()
    );
    aio_topology::parse_str("t.toml", text).unwrap()
}

/// An engine with the OVS provider on `db` (its state in the dir
/// returned), and the topology's resources.
fn engine_on(db: &Ovsdb) -> (tempfile::TempDir, Engine, Vec<Resource>) {
    let state = tempfile::tempdir().unwrap();
    let engine = Engine::new(state.path())
        .with_provider(Box::new(OvsProvider::new(db.unix().parse().unwrap())));
    (state, engine, resources(&topology(db)))
}

#[tokio::test]
async fn a_change_made_between_plan_and_apply_fails_the_whole_transaction() {
    let db = Ovsdb::start(&[]);
    db.vsctl(&["init"]);
    let (_state, engine, desired) = engine_on(&db);

    let plan = engine.plan(&desired).await.unwrap();
    assert_eq!(plan.changes.len(), 3, "{plan:?}");
    // Someone else makes br0 meanwhile.
    db.vsctl(&["add-br", "br0"]);
    let err = engine.apply(&plan, &desired).await.unwrap_err();
    assert!(matches!(err, ApplyError::Failed { .. }), "{err}");
    assert!(
        err.to_string().contains("changed since the plan was made"),
        "{err}"
    );
    assert_eq!(
        db.vsctl(&["list-ports", "br0"]),
        "",
        "part of the transaction went through"
    );

    // Planned again, the bridge is there and foreign: only the ports are added.
    let plan = engine.plan(&desired).await.unwrap();
    assert_eq!(
        plan.changes
            .iter()
            .map(|c| c.id.to_string())
            .collect::<Vec<_>>(),
        ["ovs-port/br0/p1", "ovs-port/br0/p2"]
    );
    engine.apply(&plan, &desired).await.unwrap();
    assert_eq!(db.vsctl(&["list-ports", "br0"]), "p1\np2");
}

#[tokio::test]
async fn a_fresh_database_gets_its_root_row_bridge_and_ports_in_one_apply() {
    let db = Ovsdb::start(&[]);
    let (_state, engine, desired) = engine_on(&db);
    let plan = engine.plan(&desired).await.unwrap();
    engine.apply(&plan, &desired).await.unwrap();
    // No `ovs-vsctl init`: the transaction made the root row too, or the bridge would be gone.
    assert_eq!(db.vsctl(&["list-ports", "br0"]), "p1\np2");
    assert_eq!(
        db.vsctl(&["get", "bridge", "br0", "external_ids:aio-owner"]),
        "aio"
    );
    assert!(engine.plan(&desired).await.unwrap().is_converged());
}

#[tokio::test]
async fn a_later_look_by_another_caller_does_not_move_the_guard_of_an_earlier_plan() {
    let db = Ovsdb::start(&[]);
    let (_state, engine, desired) = engine_on(&db);
    let plan = engine.plan(&desired).await.unwrap();
    engine.apply(&plan, &desired).await.unwrap();

    db.vsctl(&["set", "port", "p1", "tag=99"]);
    let earlier = engine.plan(&desired).await.unwrap();
    assert_eq!(earlier.changes.len(), 1, "{earlier:?}");
    // Someone changes p1 again, and another caller (the other lane of
    // `aio watch`) looks before the earlier plan is applied.
    db.vsctl(&["set", "port", "p1", "tag=55"]);
    let _later = engine.plan(&desired).await.unwrap();
    let err = engine.apply(&earlier, &desired).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("ovs-port/br0/p1 changed in OVSDB at"),
        "{err}"
    );
    assert_eq!(db.vsctl(&["get", "port", "p1", "tag"]), "55");
}

#[tokio::test]
async fn aios_bridge_is_not_deleted_while_it_holds_a_port_aio_did_not_make() {
    let db = Ovsdb::start(&[]);
    let (_state, engine, desired) = engine_on(&db);
    let plan = engine.plan(&desired).await.unwrap();
    engine.apply(&plan, &desired).await.unwrap();
    db.vsctl(&["add-port", "br0", "theirs"]);

    // Nothing wanted any more (as `aio destroy` plans it).
    let err = engine.plan(&[]).await.unwrap_err().to_string();
    assert!(
        err.contains("ovs-bridge/br0 holds ports aio did not make (theirs)"),
        "{err}"
    );
    assert_eq!(db.vsctl(&["list-ports", "br0"]), "p1\np2\ntheirs");

    // Once it is gone, the bridge and aio's ports go.
    db.vsctl(&["del-port", "br0", "theirs"]);
    let plan = engine.plan(&[]).await.unwrap();
    engine.apply(&plan, &[]).await.unwrap();
    assert_eq!(db.vsctl(&["list-br"]), "");
}
