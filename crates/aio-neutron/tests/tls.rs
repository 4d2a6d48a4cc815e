//! `cacert` and `verify` honoured against a real TLS endpoint: a small
//! rustls server in a namespace, with a certificate `openssl` makes, that
//! answers every request as Keystone answers a wrong password (401).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aio_neutron::{Client, Credentials, Interface, NeutronError, Secret};
use aio_sandbox::Sandbox;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

const PASSWORD: &str = "tls-test-password-not-shown";
const ANSWER: &str = r#"{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}"#;

/// Runs `openssl ARGS` in `dir`.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, as Kolla's `root.crt`, and a certificate it signed for
/// 127.0.0.1: (CA, certificate, key) PEM files.
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    openssl(
        dir,
        &[
            &["req", "-x509", "-days", "2", "-subj", "/CN=aio test CA"],
            &ec[..],
            &["-keyout", "ca.key", "-out", "ca.pem"],
        ]
        .concat(),
    );
    openssl(
        dir,
        &[
            &["req", "-subj", "/CN=127.0.0.1"],
            &ec[..],
            &["-keyout", "key.pem", "-out", "leaf.csr"],
        ]
        .concat(),
    );
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "leaf.ext",
            "-out",
            "cert.pem",
        ],
    );
    (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    )
}

/// Serves 401 over TLS on 127.0.0.1:`port` in `ns` until dropped.
struct Server {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(ns: &str, port: u16, cert: &Path, key: &Path) -> Server {
        let certs: Vec<CertificateDer> = CertificateDer::pem_file_iter(cert)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let key = PrivateKeyDer::from_pem_file(key).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let config = Arc::new(config);
        let listener = aio_netns::run_in(Some(ns), move || {
            TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        })
        .unwrap()
        .unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => answer(stream, config.clone()),
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Server {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request (head and body) and answers 401; a client that
/// refuses the handshake ends it early.
fn answer(stream: std::net::TcpStream, config: Arc<rustls::ServerConfig>) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let connection = rustls::ServerConnection::new(config).unwrap();
    let mut tls = rustls::StreamOwned::new(connection, stream);
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let Ok(n) = tls.read(&mut buf) else { return };
        if n == 0 {
            return;
        }
        request.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&request);
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if request.len() >= end + 4 + length {
                break;
            }
        }
    }
    let reply = format!(
        "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{ANSWER}",
        ANSWER.len()
    );
    let _ = tls.write_all(reply.as_bytes());
    let _ = tls.flush();
}

fn credentials(port: u16, cacert: Option<&Path>, verify: bool) -> Credentials {
    Credentials {
        source: "/etc/kolla/clouds.yaml".into(),
        cloud: "kolla-admin".into(),
        auth_url: format!("https://127.0.0.1:{port}"),
        username: "admin".into(),
        password: Secret::new(PASSWORD),
        project_name: "admin".into(),
        user_domain_name: "Default".into(),
        project_domain_name: "Default".into(),
        region_name: None,
        interface: Interface::Public,
        cacert: cacert.map(Path::to_path_buf),
        verify,
    }
}

fn connect(ns: &str, creds: Credentials) -> NeutronError {
    let started = Instant::now();
    let error = Client::connect(creds, Some(ns)).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(30), "{error}");
    let message = error.to_string();
    assert!(!message.contains(PASSWORD), "{message}");
    error
}

#[test]
fn cacert_and_verify_are_honoured() {
    let host = Sandbox::new("aio-neutron-tls");
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(dir.path());
    let port = 5443;
    let server = Server::start(&host.ns, port, &cert, &key);

    let unknown = connect(&host.ns, credentials(port, None, true));
    assert!(
        matches!(unknown, NeutronError::Transport { .. }),
        "{unknown:?}"
    );
    assert!(unknown.to_string().contains("UnknownIssuer"), "{unknown}");

    // The server's own certificate is not a CA: it cannot anchor trust.
    let leaf = connect(&host.ns, credentials(port, Some(&cert), true));
    assert!(matches!(leaf, NeutronError::Transport { .. }), "{leaf:?}");

    for creds in [
        credentials(port, Some(&ca), true),
        credentials(port, None, false),
    ] {
        let refused = connect(&host.ns, creds);
        assert_eq!(refused.status(), Some(401), "over TLS: {refused}");
        assert!(
            refused.to_string().contains("requires authentication"),
            "{refused}"
        );
    }
    drop(server);
    drop(host);
}
