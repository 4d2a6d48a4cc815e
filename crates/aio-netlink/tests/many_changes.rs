//! A wave of changes larger than the provider keeps in flight at once is
//! carried out whole: every change made, each result matched to its change.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fmt::Write;

use aio_family::{Family, Shared};
use aio_netlink::Links;
use aio_sandbox::Sandbox;
use aio_topology::Topology;

/// More bridges (and as many addresses) than one window of requests.
const BRIDGES: usize = 300;

fn topology() -> Topology {
    let mut text = String::from("version = 1\n");
    for i in 0..BRIDGES {
        let _ = write!(
            text,
            "[interfaces.m{i}]\ntype = \"bridge\"\naddresses = [\"10.{}.{}.1/24\"]\n",
            20 + i / 256,
            i % 256
        );
    }
    aio_topology::parse_str("t.toml", &*text).unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn a_wave_larger_than_the_window_is_carried_out_whole() {
    let sb = Sandbox::new(&format!("aio-many-{}", std::process::id()));
    let (topology, shared) = (topology(), Shared::new());
    let facts = common::facts(&sb, &topology, &shared).await;
    let cx = common::context(&sb, &topology, &facts, &shared);
    let (engine, _state) = common::engine(cx).await;
    let desired = Links.wanted(cx).unwrap().resources;

    let plan = engine.plan(&desired).await.unwrap();
    assert_eq!(plan.changes.len(), 2 * BRIDGES);
    let report = engine.apply(&plan, &desired).await.unwrap();
    assert_eq!(report.applied, 2 * BRIDGES);

    let shown = sb.ip(&["-br", "addr", "show", "type", "bridge"]);
    for i in [0, 127, 128, 255, BRIDGES - 1] {
        let line = shown
            .lines()
            .find(|l| l.split_whitespace().next() == Some(&format!("m{i}")))
            .unwrap_or_else(|| panic!("no bridge m{i}:\n{shown}"));
        let address = format!("10.{}.{}.1/24", 20 + i / 256, i % 256);
        assert!(line.contains(&address), "m{i} lacks {address}: {line}");
    }
    assert_eq!(shown.lines().count(), BRIDGES);
    assert!(engine.plan(&desired).await.unwrap().is_empty());
}
