//! A hostile OVSDB peer cannot make `aio plan` grow or talk without end:
//! an echo flood and a 5 MB error end in one short error, with aio's peak
//! memory under 64 MiB. Alone in its file: the peak is read from the
//! kernel's accounting of this process's children.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Sandbox, stderr};
use std::io::{Read, Write};
use std::os::unix::net::UnixListener;

/// A server on `path` that answers each connection with `behave`.
fn serve(path: &std::path::Path, behave: fn(std::os::unix::net::UnixStream)) {
    let listener = UnixListener::bind(path).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || behave(stream));
        }
    });
}

fn flood(mut stream: std::os::unix::net::UnixStream) {
    let burst = aio_sandbox::ovs::echo_flood("flood", 2000);
    // Bounded: stops when aio hangs up, or after 10 s at most.
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(10) {
        if stream.write_all(&burst).is_err() {
            return;
        }
    }
}

fn huge_error(mut stream: std::os::unix::net::UnixStream) {
    let mut buf = [0u8; 4096];
    let _ = stream.read(&mut buf);
    let huge = "E".repeat(5 << 20);
    let reply =
        serde_json::json!({"id": 0, "result": null, "error": {"error": huge, "details": huge}});
    let _ = stream.write_all(reply.to_string().as_bytes());
    let _ = stream.read(&mut buf);
}

/// The largest resident set of any child this process has waited for, in KiB.
fn children_peak_kib() -> i64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init().ru_maxrss
    }
}

#[test]
fn a_flooding_or_verbose_peer_ends_in_one_short_error_within_bounded_memory() {
    let sb = Sandbox::new();
    for (name, behave, word) in [
        ("flood.sock", flood as fn(_), "echo requests in a second"),
        ("huge.sock", huge_error as fn(_), "more bytes"),
    ] {
        let socket = sb.state.path().join(name);
        serve(&socket, behave);
        let t = sb.topology(
            "t.toml",
            &format!(
                "version = 1\n[ovs]\ndb = \"unix:{}\"\n[ovs.bridges.br0]\n[ovs.bridges.br0.ports.p0]\ntype = \"internal\"\n",
                socket.display()
            ),
        );
        let out = sb.aio("plan", &t, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.contains(word),
            "{name}: {}",
            &err[..err.len().min(2000)]
        );
        assert!(err.len() < 8 * 1024, "{name}: {} bytes of error", err.len());
    }
    let peak = children_peak_kib();
    eprintln!("peak resident set of a child: {peak} KiB");
    assert!(
        peak < 64 * 1024,
        "a child of this test peaked at {peak} KiB"
    );
}
