//! The client against an in-process fake server on a Unix socket, for what a
//! real ovsdb-server does not do on demand: probe right away, answer out of
//! order, split its messages, go silent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aio_ovsdb::{Address, Client, Decoder, Error, Op, Options};
use serde_json::{Value as Json, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};

struct Fake {
    _dir: tempfile::TempDir,
    listener: UnixListener,
    address: Address,
}

impl Fake {
    fn new() -> Fake {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fake.sock");
        let listener = UnixListener::bind(&path).unwrap();
        Fake {
            _dir: dir,
            listener,
            address: Address::Unix(path),
        }
    }

    async fn connect(&self, options: Options) -> (Client, Peer) {
        let (client, accepted) = tokio::join!(
            Client::connect_with(self.address.clone(), options),
            self.listener.accept()
        );
        let peer = Peer {
            stream: accepted.unwrap().0,
            decoder: Decoder::new(),
            received: Vec::new(),
        };
        (client.unwrap(), peer)
    }
}

/// The server's end of one connection.
struct Peer {
    stream: UnixStream,
    decoder: Decoder,
    received: Vec<Json>,
}

impl Peer {
    async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }

    async fn receive(&mut self) -> Json {
        let mut buffer = [0; 4096];
        while self.received.is_empty() {
            let n = self.stream.read(&mut buffer).await.unwrap();
            assert!(n > 0, "the client hung up");
            self.received = self.decoder.decode(&buffer[..n]).unwrap();
            self.received.reverse();
        }
        self.received.pop().unwrap()
    }

    /// Answers the next request with `result`; the request.
    async fn answer(&mut self, result: Json) -> Json {
        let request = self.receive().await;
        let reply = json!({"id": request["id"], "result": result, "error": null});
        self.send(reply.to_string().as_bytes()).await;
        request
    }
}

#[tokio::test]
async fn the_client_answers_the_servers_echo() {
    let fake = Fake::new();
    let (_client, mut peer) = fake.connect(Options::default()).await;
    peer.send(br#"{"id":"echo","method":"echo","params":[]}"#)
        .await;
    let reply = peer.receive().await;
    assert_eq!(reply, json!({"id": "echo", "result": [], "error": null}));
    assert_eq!(
        reply.to_string(),
        r#"{"id":"echo","result":[],"error":null}"#
    );
}

#[tokio::test]
async fn responses_find_their_requests_whatever_comes_between() {
    let fake = Fake::new();
    let (client, mut peer) = fake.connect(Options::default()).await;
    let server = async {
        let first = peer.receive().await;
        let second = peer.receive().await;
        assert_eq!(first["method"], "list_dbs");
        assert_eq!(second["method"], "echo");
        // Its own probe, a notification, then the answers in reverse order,
        // the first one cut in two.
        peer.send(br#"{"id":0,"method":"echo","params":["x"]}{"id":null,"method":"update","params":[null,{}]}"#)
            .await;
        let echo = json!({"id": second["id"], "result": second["params"], "error": null});
        let echo = echo.to_string().into_bytes();
        let (head, tail) = echo.split_at(10);
        peer.send(head).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        peer.send(tail).await;
        let dbs = json!({"id": first["id"], "result": ["Open_vSwitch", "_Server"], "error": null});
        peer.send(dbs.to_string().as_bytes()).await;
        assert_eq!(
            peer.receive().await,
            json!({"id": 0, "result": ["x"], "error": null})
        );
    };
    let (dbs, echo, ()) = tokio::join!(client.list_dbs(), client.echo(), server);
    assert_eq!(dbs.unwrap(), ["Open_vSwitch", "_Server"]);
    echo.unwrap();
}

#[tokio::test]
async fn a_silent_server_times_out_and_a_late_answer_is_ignored() {
    let fake = Fake::new();
    let options = Options {
        request_timeout: Duration::from_millis(300),
        ..Options::default()
    };
    let (client, mut peer) = fake.connect(options).await;
    let started = Instant::now();
    let err = client.list_dbs().await.unwrap_err();
    // A hang, not a busy machine: the default timeout would be 30 s.
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(
        matches!(&err, Error::Timeout { method, .. } if method == "list_dbs"),
        "{err:?}"
    );
    assert!(err.to_string().contains(&fake.address.to_string()), "{err}");

    peer.answer(json!(["late"])).await;
    let (dbs, _) = tokio::join!(client.list_dbs(), peer.answer(json!(["Open_vSwitch"])));
    assert_eq!(dbs.unwrap(), ["Open_vSwitch"]);
}

#[tokio::test]
async fn hanging_up_mid_message_fails_the_pending_request() {
    let fake = Fake::new();
    let (client, mut peer) = fake.connect(Options::default()).await;
    let (result, ()) = tokio::join!(client.list_dbs(), async {
        peer.receive().await;
        peer.send(br#"{"id":0,"result":["Open_"#).await;
        peer.stream.shutdown().await.unwrap();
    });
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Closed { .. }), "{err:?}");
    assert!(
        err.to_string().contains("in the middle of a message"),
        "{err}"
    );
}

#[tokio::test]
async fn garbage_from_the_server_ends_the_session() {
    let fake = Fake::new();
    let (client, mut peer) = fake.connect(Options::default()).await;
    let (result, ()) = tokio::join!(client.list_dbs(), async {
        peer.receive().await;
        peer.send(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    });
    let err = result.unwrap_err();
    assert!(err.to_string().contains("invalid JSON"), "{err}");
    assert!(matches!(client.echo().await, Err(Error::Closed { .. })));
}

#[tokio::test]
async fn a_peer_flooding_echo_requests_is_dropped_not_answered_forever() {
    let fake = Fake::new();
    let (client, mut peer) = fake.connect(Options::default()).await;
    let flood = async {
        // Never reads: every reply would pile up if aio queued them.
        let burst = aio_sandbox::ovs::echo_flood(&"x".repeat(32), 1000);
        for _ in 0..200 {
            if peer.stream.write_all(&burst).await.is_err() {
                break;
            }
        }
    };
    let started = Instant::now();
    let (_, answer) = tokio::join!(flood, client.list_dbs());
    let err = answer.unwrap_err().to_string();
    assert!(err.contains("echo requests in a second"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(25));
}

#[tokio::test]
async fn a_message_that_never_ends_and_a_huge_error_are_bounded() {
    let fake = Fake::new();
    let (client, mut peer) = fake.connect(Options::default()).await;
    let server = async {
        let request = peer.receive().await;
        // A 5 MB error text, said once and cut.
        let huge = "E".repeat(5 << 20);
        let reply =
            json!({"id": request["id"], "result": null, "error": {"error": huge, "details": huge}});
        peer.send(reply.to_string().as_bytes()).await;
        let request = peer.receive().await;
        // Then a response that never ends.
        peer.send(format!("{{\"id\":{},\"result\":\"", request["id"]).as_bytes())
            .await;
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..40 {
            if peer.stream.write_all(&chunk).await.is_err() {
                break;
            }
        }
    };
    let client_side = async {
        let err = client.list_dbs().await.unwrap_err().to_string();
        assert!(err.len() < 3000, "{} bytes of error", err.len());
        assert!(err.contains("more bytes"), "{}", &err[..200]);
        client.list_dbs().await.unwrap_err().to_string()
    };
    let (_, err) = tokio::join!(server, client_side);
    assert!(err.contains("larger than 16 MiB"), "{err}");
}

#[tokio::test]
async fn a_selected_row_of_the_wrong_shape_names_its_column_and_a_failed_operation_its_index() {
    let fake = Fake::new();
    let (client, mut peer) = fake.connect(Options::default()).await;
    let select = [Op::select("Port", [])];
    let rows = json!([{"_uuid": ["uuid", "u1"], "name": "p0", "tag": ["set", [null]]}]);
    let (result, request) = tokio::join!(
        client.transact("Open_vSwitch", &select),
        peer.answer(json!([{ "rows": rows }]))
    );
    assert_eq!(request["params"][1]["op"], "select");
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Data(_)), "{err:?}");
    assert!(err.to_string().contains("column `tag`: "), "{err}");

    let two = [Op::select("Port", []), Op::select("Bridge", [])];
    let failed = json!([{"rows": []}, {"error": "constraint violation", "details": "why"}]);
    let (result, _) = tokio::join!(client.transact("Open_vSwitch", &two), peer.answer(failed));
    let err = result.unwrap_err();
    assert!(
        matches!(&err, Error::Operation { index: 1, op: "select", error, details: Some(d) }
            if error == "constraint violation" && d == "why"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_result_of_the_wrong_shape_is_refused_in_a_bounded_error() {
    let fake = Fake::new();
    let (client, mut peer) = fake.connect(Options::default()).await;
    let huge = json!("D".repeat(5 << 20));
    let (result, _) = tokio::join!(client.list_dbs(), peer.answer(huge));
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.len() < 3000, "{} bytes of error", text.len());
    assert!(text.contains("list_dbs result"), "{}", &text[..200]);
}

#[tokio::test]
async fn a_request_whose_method_is_not_a_string_is_answered_not_fatal() {
    let fake = Fake::new();
    let (client, mut peer) = fake.connect(Options::default()).await;
    peer.send(br#"{"id":7,"method":5,"params":[]}{"id":null,"method":[],"params":[]}"#)
        .await;
    assert_eq!(
        peer.receive().await,
        json!({"id": 7, "result": null, "error": "unknown method"})
    );
    let (dbs, _) = tokio::join!(client.list_dbs(), peer.answer(json!(["Open_vSwitch"])));
    assert_eq!(dbs.unwrap(), ["Open_vSwitch"]);
}
