//! A plan within a scope (what one `aio watch` event names) asks the kernel
//! for a few links by name instead of dumping every link: what it sees of
//! them must be exactly what the full dump sees.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aio_engine::{Provider, ResourceId};
use aio_netlink::{AddressId, LinkId, NetlinkProvider};
use aio_sandbox::Sandbox;

fn link_id(name: &str) -> ResourceId {
    LinkId::new(name).into()
}

fn address_id(iface: &str, cidr: &str) -> ResourceId {
    AddressId {
        iface: iface.into(),
        cidr: cidr.parse().unwrap(),
    }
    .into()
}

#[tokio::test(flavor = "current_thread")]
async fn a_few_links_asked_for_by_name_look_as_in_the_full_dump() {
    let sb = Sandbox::new(&format!("aio-within-{}", std::process::id()));
    sb.ip(&["link", "add", "b1", "type", "bridge"]);
    sb.ip(&["link", "add", "v1", "type", "veth", "peer", "name", "p1"]);
    sb.ip(&["link", "set", "p1", "master", "b1", "mtu", "1400"]);
    sb.ip(&["link", "set", "b1", "up"]);
    sb.ip(&["addr", "add", "10.9.0.1/24", "dev", "b1"]);
    for i in 0..40 {
        let x = format!("x{i}");
        sb.ip(&["link", "add", &x, "type", "bridge"]);
        // Addresses elsewhere, which the kernel leaves out of b1's.
        sb.ip(&["addr", "add", &format!("10.8.{i}.1/24"), "dev", &x]);
    }
    let handle = aio_netlink::connect(Some(&sb.ns)).await.unwrap();
    let provider = NetlinkProvider::new(handle, vec!["eth0".into()]).in_netns(Some(&sb.ns));
    let ids = [
        link_id("p1"),
        link_id("v1"),
        address_id("b1", "10.9.0.1/24"),
        address_id("b1", "10.9.9.1/24"),
        link_id("gone"),
        address_id("gone", "10.9.0.2/24"),
    ];

    // p1 alone: its master and peer are found by their indexes.
    for ids in [&ids[..], &ids[..1]] {
        let full = provider.observe(ids).await.unwrap();
        let few = provider.observe_within(ids).await.unwrap();
        for id in ids {
            assert_eq!(few.get(id), full.get(id), "{id}");
            assert_eq!(few.identity(id), full.identity(id), "{id}");
        }
    }
    let few = provider.observe_within(&ids[..1]).await.unwrap();
    let p1 = few.get(&link_id("p1")).unwrap();
    assert_eq!(p1["master"], "b1", "{p1:?}");
    assert_eq!(p1["peer"], "v1", "{p1:?}");
    assert_eq!(p1["mtu"], 1400, "{p1:?}");
    let few = provider.observe_within(&ids).await.unwrap();
    assert!(few.contains(&address_id("b1", "10.9.0.1/24")));
    let elsewhere = address_id("b1", "10.8.3.1/24");
    assert!(
        !few.contains(&elsewhere)
            && !provider
                .observe(std::slice::from_ref(&elsewhere))
                .await
                .unwrap()
                .contains(&elsewhere)
    );
    for absent in [&ids[3], &ids[4], &ids[5]] {
        assert!(!few.contains(absent), "{absent}");
    }
}
