//! Transactions that fail against a real ovsdb-server: which error, naming
//! what, and that nothing of the transaction stays.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aio_ovsdb::{Condition, Error, Op, Row, Until};
use common::{DB, connected, port_tag, topology};

#[tokio::test]
async fn a_wait_that_does_not_hold_fails_the_whole_transaction() {
    let (_server, client) = connected().await;
    client.transact(DB, &topology()).await.unwrap();
    let ops = [
        Op::update(
            "Port",
            [Condition::eq("name", "p0")],
            Row::new().with("tag", 30),
        ),
        Op::wait(
            "Port",
            [Condition::eq("name", "p0")],
            &["tag"],
            Until::Eq,
            [Row::new().with("tag", 99)],
            Some(0),
        ),
    ];
    let err = client.transact(DB, &ops).await.unwrap_err();
    match &err {
        Error::Operation {
            index: 1,
            op: "wait",
            error,
            details,
        } => {
            assert_eq!(error, "timed out");
            assert_eq!(details.as_deref(), Some("\"where\" clause test failed"));
        }
        other => panic!("expected the wait to fail, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "operation 1 (wait) of the transaction failed: timed out: \"where\" clause test failed"
    );
    assert_eq!(
        port_tag(&client).await,
        Some(10),
        "the update before it was rolled back"
    );
}

#[tokio::test]
async fn a_failing_operation_is_named() {
    let (_server, client) = connected().await;
    let ops = [
        Op::comment("first"),
        Op::insert(
            "Bridge",
            Row::new().with("name", "br0").with("vlan", 5),
            None,
        ),
    ];
    match client.transact(DB, &ops).await.unwrap_err() {
        Error::Operation {
            index: 1,
            op: "insert",
            error,
            details,
        } => {
            assert_eq!(error, "unknown column");
            assert!(details.unwrap().contains("vlan"));
        }
        other => panic!("expected the insert to fail, got {other:?}"),
    }
    let out_of_range = Op::insert("Port", Row::new().with("name", "p").with("tag", 5000), None);
    let err = client.transact(DB, &[out_of_range]).await.unwrap_err();
    assert_eq!(err.server_error(), Some("constraint violation"), "{err}");
}

#[tokio::test]
async fn an_error_found_at_commit_is_not_blamed_on_an_operation() {
    let (_server, client) = connected().await;
    // Port.interfaces needs at least one interface; this only shows at commit.
    let lonely = Op::insert("Port", Row::new().with("name", "p0"), None);
    match client.transact(DB, &[lonely]).await.unwrap_err() {
        Error::Commit { error, .. } => assert_eq!(error, "referential integrity violation"),
        other => panic!("expected a commit error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_database_is_an_rpc_error() {
    let (_server, client) = connected().await;
    let err = client
        .transact("Nope", &[Op::comment("x")])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Rpc { method, .. } if method == "transact"),
        "{err:?}"
    );
    assert_eq!(err.server_error(), Some("unknown database"));
}
