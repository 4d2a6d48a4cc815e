//! New ports join their bridges, new or already there, beside ports aio
//! did not make.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aio_engine::Engine;
use aio_ovs::{OvsProvider, resources};
use aio_sandbox::ovs::Ovsdb;
use std::fmt::Write;

fn topology(db: &Ovsdb, ports: &[(&str, &[&str])]) -> aio_topology::Topology {
    let mut text = format!("version = 1\n[ovs]\ndb = \"{}\"\n", db.unix());
    for (bridge, names) in ports {
        let _ = writeln!(text, "[ovs.bridges.{bridge}]");
        for (i, name) in names.iter().enumerate() {
            let _ = writeln!(
                text,
                "[ovs.bridges.{bridge}.ports.{name}]\ntag = {}",
                10 + i
            );
        }
    }
    aio_topology::parse_str("t.toml", text).unwrap()
}

#[tokio::test]
async fn ports_of_several_bridges_land_on_their_own_in_one_apply() {
    let db = Ovsdb::start(&[]);
    db.vsctl(&["init"]);
    db.vsctl(&["add-br", "br1"]);
    db.vsctl(&["add-port", "br1", "theirs"]);
    let state = tempfile::tempdir().unwrap();
    let engine = Engine::new(state.path())
        .with_provider(Box::new(OvsProvider::new(db.unix().parse().unwrap())));
    let first = [("br0", &["a1", "a2", "a3"][..]), ("br1", &["b1"][..])];
    let desired = resources(&topology(&db, &first));
    let plan = engine.plan(&desired).await.unwrap();
    engine.apply(&plan, &desired).await.unwrap();
    assert_eq!(db.vsctl(&["list-ports", "br0"]), "a1\na2\na3");
    assert_eq!(db.vsctl(&["list-ports", "br1"]), "b1\ntheirs");
    assert_eq!(db.vsctl(&["get", "port", "a3", "tag"]), "12");

    // More ports on both, later: the ones there stay.
    let second = [
        ("br0", &["a1", "a2", "a3", "a4"][..]),
        ("br1", &["b1", "b2", "b3"][..]),
    ];
    let desired = resources(&topology(&db, &second));
    let plan = engine.plan(&desired).await.unwrap();
    assert_eq!(plan.changes.len(), 3, "{plan:?}");
    engine.apply(&plan, &desired).await.unwrap();
    assert_eq!(db.vsctl(&["list-ports", "br0"]), "a1\na2\na3\na4");
    assert_eq!(db.vsctl(&["list-ports", "br1"]), "b1\nb2\nb3\ntheirs");
    assert!(engine.plan(&desired).await.unwrap().is_converged());
}
