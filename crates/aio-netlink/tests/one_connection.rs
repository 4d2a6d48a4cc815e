//! A run talks to netlink over one connection, kept in its shared slots:
//! the facts, the provider's observe and apply, and `aio watch`'s look at
//! the links all go through it. Only the kernel's announcements come on a
//! socket of their own, the one that subscribes to them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use aio_family::{Family, Shared};
use aio_netlink::Links;
use aio_sandbox::Sandbox;
use aio_topology::Topology;

/// The route-netlink sockets this process holds in the sandbox's namespace.
fn netlink_sockets(sb: &Sandbox) -> usize {
    let ours: BTreeSet<String> = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .filter_map(|target| {
            let target = target.to_string_lossy().into_owned();
            Some(
                target
                    .strip_prefix("socket:[")?
                    .strip_suffix(']')?
                    .to_string(),
            )
        })
        .collect();
    let table = sb.exec(&["cat", "/proc/net/netlink"]);
    assert!(table.status.success());
    String::from_utf8(table.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .filter(|line| {
            let columns: Vec<&str> = line.split_whitespace().collect();
            // Protocol 0: NETLINK_ROUTE; the inode is the last column.
            columns.get(1) == Some(&"0") && columns.last().is_some_and(|i| ours.contains(*i))
        })
        .count()
}

fn topology() -> Topology {
    let text = "version = 1\n[interfaces.br0]\ntype = \"bridge\"\naddresses = [\"10.9.0.1/24\"]\n";
    aio_topology::parse_str("t.toml", text).unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn facts_provider_and_watch_share_one_netlink_connection() {
    let sb = Sandbox::new(&format!("aio-one-conn-{}", std::process::id()));
    let (topology, shared) = (topology(), Shared::new());
    assert_eq!(netlink_sockets(&sb), 0);

    let facts = common::facts(&sb, &topology, &shared).await;
    assert_eq!(facts.uplink.as_deref(), Some("eth0"));
    assert_eq!(netlink_sockets(&sb), 1);

    let cx = common::context(&sb, &topology, &facts, &shared);
    let (engine, _state) = common::engine(cx).await;
    let desired = Links.wanted(cx).unwrap().resources;
    let plan = engine.plan(&desired).await.unwrap();
    engine.apply(&plan, &desired).await.unwrap();
    assert!(sb.ip(&["addr", "show", "br0"]).contains("10.9.0.1/24"));
    assert_eq!(netlink_sockets(&sb), 1);

    let (changed, _announced) = tokio::sync::mpsc::unbounded_channel();
    Links.follow(cx, &desired, changed).await.unwrap();
    // The subscription to the kernel's announcements, and nothing more.
    assert_eq!(netlink_sockets(&sb), 2);
}
