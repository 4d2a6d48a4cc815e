//! The connection's life against a real ovsdb-server: failing fast when the
//! server dies or is absent, and staying up through its inactivity probes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aio_ovsdb::{Address, Atom, Client, Error, Op, Options, Row, Until};
use aio_sandbox::ovs::free_port;
use common::{DB, Server};
use std::time::{Duration, Instant};

fn patient() -> Options {
    Options {
        request_timeout: Duration::from_secs(60),
        ..Options::default()
    }
}

#[tokio::test]
async fn killing_the_server_fails_pending_and_later_requests_quickly() {
    let mut server = Server::start(&[]);
    let address: Address = server.unix().parse().unwrap();
    let client = Client::connect_with(address, patient()).await.unwrap();
    client
        .transact(DB, &[Op::insert("Open_vSwitch", Row::new(), None)])
        .await
        .unwrap();
    // The server holds this transaction for a minute, waiting for cur_cfg to become 99.
    let wait = Op::wait(
        "Open_vSwitch",
        [],
        &["cur_cfg"],
        Until::Eq,
        [Row::new().with("cur_cfg", 99)],
        Some(60_000),
    );
    let pending = client.transact(DB, std::slice::from_ref(&wait));
    let kill = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        server.kill();
        Instant::now()
    };
    let (result, killed_at) = tokio::join!(pending, kill);
    // Far below the wait's own 60 s: the death ended it, not its timeout.
    assert!(killed_at.elapsed() < Duration::from_secs(30));
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Closed { .. }), "{err:?}");
    assert!(err.to_string().contains(&server.unix()), "{err}");

    let started = Instant::now();
    let err = client.list_dbs().await.unwrap_err();
    assert!(matches!(err, Error::Closed { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test]
async fn a_missing_server_is_an_error_naming_its_address() {
    let dir = tempfile::tempdir().unwrap();
    let unix = format!("unix:{}", dir.path().join("db.sock").display());
    let err = Client::connect(&unix).await.err().unwrap();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains(&unix), "{err}");

    // Port 1 (tcpmux): nothing listens there, and unlike a port from the
    // ephemeral range it cannot be picked as the source port of a
    // connection to itself, nor by another test's server.
    let tcp = "tcp:127.0.0.1:1".to_string();
    let err = Client::connect(&tcp).await.err().unwrap();
    assert!(err.to_string().contains(&tcp), "{err}");

    let err = Client::connect("ssl:127.0.0.1:6640").await.err().unwrap();
    assert!(matches!(err, Error::Address(_)), "{err:?}");
}

/// ovsdb-server probes an idle TCP client with `echo` after its manager's
/// `inactivity_probe` and disconnects it one probe later if it does not
/// answer: with 1 s, a silent client is gone after about 2 s.
#[tokio::test]
async fn answering_the_servers_echo_keeps_an_idle_session_alive() {
    let remote = "--remote=db:Open_vSwitch,Open_vSwitch,manager_options".to_string();
    let mut server = Server::start(&[remote]);
    let port = free_port();
    let admin = Client::connect(&server.unix()).await.unwrap();
    let manager = Row::new()
        .with("target", format!("ptcp:{port}:127.0.0.1"))
        .with("inactivity_probe", 1000);
    admin
        .transact(
            DB,
            &[
                Op::insert("Manager", manager, Some("m")),
                Op::insert(
                    "Open_vSwitch",
                    Row::new().with("manager_options", Atom::named("m")),
                    None,
                ),
            ],
        )
        .await
        .unwrap();
    assert!(
        server.wait_for_tcp(port),
        "port {port} was taken, run again"
    );

    let client = Client::connect(&format!("tcp:127.0.0.1:{port}"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let roots = client
        .transact(DB, &[Op::select("Open_vSwitch", [])])
        .await
        .unwrap();
    assert_eq!(roots[0].rows().len(), 1);
    client.echo().await.unwrap();
    let log = server.log();
    assert!(!log.contains("no response to inactivity probe"), "{log}");
}
