//! What the tests against a real ovsdb-server share: the server itself comes
//! from `aio_sandbox::ovs` (private, in a temporary directory).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(dead_code)]

use aio_ovsdb::{Atom, Client, Condition, Datum, Mutation, Op, Row};
pub use aio_sandbox::ovs::{DB, Ovsdb as Server};

/// The root row, a bridge `br0` with port `p0` (tag 10) and its interface,
/// all in one transaction: later operations refer to earlier rows by name.
pub fn topology() -> Vec<Op> {
    vec![
        Op::insert("Open_vSwitch", Row::new(), Some("ovs")),
        Op::insert(
            "Interface",
            Row::new().with("name", "p0").with("type", "internal"),
            Some("iface"),
        ),
        Op::insert(
            "Port",
            Row::new()
                .with("name", "p0")
                .with("tag", 10)
                .with("interfaces", Datum::set([Atom::named("iface")])),
            Some("port"),
        ),
        Op::insert(
            "Bridge",
            Row::new()
                .with("name", "br0")
                .with("ports", Atom::named("port"))
                .with("external_ids", Datum::map([("owner", "aio")])),
            Some("bridge"),
        ),
        Op::mutate(
            "Open_vSwitch",
            [Condition::eq("_uuid", Atom::named("ovs"))],
            [Mutation::insert(
                "bridges",
                Datum::set([Atom::named("bridge")]),
            )],
        ),
        Op::comment("aio-ovsdb test: br0 with p0"),
    ]
}

/// A private server and a client connected to it over its Unix socket.
pub async fn connected() -> (Server, Client) {
    let server = Server::start(&[]);
    let client = Client::connect(&server.unix()).await.unwrap();
    (server, client)
}

pub async fn port_tag(client: &Client) -> Option<i64> {
    let results = client
        .transact(
            DB,
            &[Op::select_columns(
                "Port",
                [Condition::eq("name", "p0")],
                &["tag"],
            )],
        )
        .await
        .unwrap();
    results[0].rows()[0].optional_integer("tag").unwrap()
}
