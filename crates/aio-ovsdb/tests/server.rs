//! The client against a real ovsdb-server with the Open vSwitch schema, each
//! test with a private server of its own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aio_ovsdb::{Atom, Client, Condition, Datum, Op, Row};
use common::{DB, Server, connected, port_tag, topology};

#[tokio::test]
async fn list_dbs_has_open_vswitch() {
    let (_server, client) = connected().await;
    assert!(client.list_dbs().await.unwrap().contains(&DB.to_string()));
}

#[tokio::test]
async fn the_schema_has_what_aio_writes() {
    let (_server, client) = connected().await;
    let schema = client.get_schema(DB).await.unwrap();
    for (table, column) in [
        ("Bridge", "ports"),
        ("Bridge", "external_ids"),
        ("Port", "tag"),
        ("Port", "trunks"),
        ("Port", "interfaces"),
        ("Interface", "type"),
        ("Open_vSwitch", "bridges"),
        ("Port", "_uuid"),
    ] {
        schema.require(table, column).unwrap();
    }
    assert!(schema.require("Port", "tag").unwrap().is_optional());
    assert!(schema.require("Bridge", "external_ids").unwrap().is_map());
    let ports = schema.require("Bridge", "ports").unwrap();
    assert_eq!(ports.key.ref_table.as_deref(), Some("Port"));
    assert_eq!((ports.min, ports.max), (0, None));
    assert!(schema.table("Open_vSwitch").unwrap().is_root);
    assert!(!schema.table("Bridge").unwrap().is_root);
    let missing = schema.require("Port", "vlan").unwrap_err().to_string();
    assert_eq!(
        missing,
        "table `Port` of database Open_vSwitch has no column `vlan`"
    );
    assert!(
        schema
            .require("Vlan", "tag")
            .unwrap_err()
            .to_string()
            .contains("no table `Vlan`")
    );
}

#[tokio::test]
async fn a_bridge_port_and_interface_in_one_transaction() {
    let (_server, client) = connected().await;
    let ops = topology();
    let inserted = client.transact(DB, &ops).await.unwrap();
    assert_eq!(inserted.len(), ops.len());
    let (iface, port, bridge) = (&inserted[1].uuid, &inserted[2].uuid, &inserted[3].uuid);
    assert_eq!(inserted[4].count, Some(1));

    let read = client
        .transact(
            DB,
            &[
                Op::select("Open_vSwitch", []),
                Op::select("Bridge", [Condition::eq("name", "br0")]),
                Op::select(
                    "Port",
                    [Condition::includes(
                        "interfaces",
                        Atom::uuid(iface.clone().unwrap()),
                    )],
                ),
            ],
        )
        .await
        .unwrap();
    let root = &read[0].rows()[0];
    assert_eq!(root.uuids("bridges").unwrap(), [bridge.as_deref().unwrap()]);
    let br0 = &read[1].rows()[0];
    assert_eq!(br0.uuid().unwrap(), bridge.as_deref().unwrap());
    // One port comes back as a bare uuid, not ["set", [...]]: both read the same.
    assert_eq!(br0.uuids("ports").unwrap(), [port.as_deref().unwrap()]);
    assert_eq!(br0.string_map("external_ids").unwrap()["owner"], "aio");
    let p0 = &read[2].rows()[0];
    assert_eq!(p0.string("name").unwrap(), "p0");
    assert_eq!(p0.optional_integer("tag").unwrap(), Some(10));
    assert_eq!(p0.get("trunks").unwrap(), &Datum::empty_set());
}

#[tokio::test]
async fn updating_and_clearing_the_tag() {
    let (_server, client) = connected().await;
    client.transact(DB, &topology()).await.unwrap();
    let p0 = || [Condition::eq("name", "p0")];
    let updated = client
        .transact(DB, &[Op::update("Port", p0(), Row::new().with("tag", 20))])
        .await
        .unwrap();
    assert_eq!(updated[0].count, Some(1));
    assert_eq!(port_tag(&client).await, Some(20));
    client
        .transact(
            DB,
            &[Op::update(
                "Port",
                p0(),
                Row::new().with("tag", Datum::empty_set()),
            )],
        )
        .await
        .unwrap();
    assert_eq!(port_tag(&client).await, None);
}

#[tokio::test]
async fn an_unreferenced_bridge_is_garbage_collected() {
    let (_server, client) = connected().await;
    let insert = Op::insert("Bridge", Row::new().with("name", "orphan"), None);
    let inserted = client.transact(DB, &[insert]).await.unwrap();
    assert!(inserted[0].uuid.is_some(), "the insert itself succeeds");
    let bridges = client
        .transact(DB, &[Op::select("Bridge", [])])
        .await
        .unwrap();
    assert_eq!(bridges[0].rows(), &[], "Bridge is not a root table");
}

#[tokio::test]
async fn tcp_works_too() {
    let (server, port) = Server::start_tcp();
    let client = Client::connect(&format!("tcp:127.0.0.1:{port}"))
        .await
        .unwrap();
    assert_eq!(
        client.address().to_string(),
        format!("tcp:127.0.0.1:{port}")
    );
    client.transact(DB, &topology()).await.unwrap();
    assert_eq!(port_tag(&client).await, Some(10));
    drop(server);
}

#[tokio::test]
async fn a_monitor_reports_a_change_made_by_someone_else() {
    let server = Server::start(&[]);
    let watcher = Client::connect(&server.unix()).await.unwrap();
    let mut updates = watcher.updates();
    let initial = watcher
        .monitor(
            DB,
            serde_json::json!("ports"),
            serde_json::json!({"Port": {"columns": ["name", "tag"]}}),
        )
        .await
        .unwrap();
    assert_eq!(
        initial,
        serde_json::json!({}),
        "a fresh database has no ports"
    );
    let writer = Client::connect(&server.unix()).await.unwrap();
    writer.transact(DB, &topology()).await.unwrap();
    let update = tokio::time::timeout(std::time::Duration::from_secs(5), updates.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(update[0], "ports");
    let row = update[1]["Port"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    assert_eq!(row["new"]["name"], "p0");
    drop(server);
    let end = tokio::time::timeout(std::time::Duration::from_secs(5), updates.recv())
        .await
        .unwrap();
    assert!(end.is_none(), "the stream ends with the connection");
}
