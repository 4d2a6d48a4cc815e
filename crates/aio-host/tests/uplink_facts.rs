//! `aio init`'s uplink facts come from the families as a run's do: the
//! uplink a default route goes through; none, without an error, when
//! `auto` has no default route of the main table to go by; a named uplink that does not
//! exist is a missing fact, told apart by its kind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aio_family::FamilyErrorKind;
use aio_host::{HostError, uplink_facts};
use aio_sandbox::{GATEWAY, Sandbox};
use aio_topology::Uplink;

#[tokio::test(flavor = "multi_thread")]
async fn auto_finds_the_default_route_s_uplink_or_nothing_and_a_missing_name_is_a_missing_fact() {
    let sb = Sandbox::new(&format!("aio-uplink-{}", std::process::id()));
    let ns = Some(sb.ns.as_str());

    let found = uplink_facts(ns, &Uplink::Auto).await.unwrap().unwrap();
    assert_eq!(found.uplink.as_deref(), Some("eth0"));
    assert_eq!(
        found.gateway.map(|g| g.to_string()).as_deref(),
        Some(GATEWAY)
    );

    let named = uplink_facts(ns, &Uplink::Named("ens9".into())).await;
    match named {
        Err(HostError::Family(e)) => {
            assert_eq!(e.kind(), FamilyErrorKind::MissingFact);
            assert_eq!(e.to_string(), "the uplink \"ens9\" does not exist");
        }
        other => panic!("{other:?}"),
    }

    // Only the main table's default routes count, the lowest metric first.
    sb.ip(&[
        "link", "add", "side0", "type", "veth", "peer", "name", "side1",
    ]);
    sb.ip(&["addr", "add", "198.51.100.2/24", "dev", "side0"]);
    sb.ip(&["link", "set", "side0", "up"]);
    sb.ip(&["link", "set", "side1", "up"]);
    let via_side = ["via", "198.51.100.1", "dev", "side0"];
    sb.ip(&[
        &["route", "add", "default"][..],
        &via_side,
        &["table", "100"],
    ]
    .concat());
    sb.ip(&[
        &["route", "add", "default"][..],
        &via_side,
        &["metric", "500"],
    ]
    .concat());
    let found = uplink_facts(ns, &Uplink::Auto).await.unwrap().unwrap();
    assert_eq!(found.uplink.as_deref(), Some("eth0"));
    let protected: Vec<&str> = found.protected.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(protected, ["eth0", "side0"]);

    sb.ip(&["route", "del", "default", "via", GATEWAY]);
    let found = uplink_facts(ns, &Uplink::Auto).await.unwrap().unwrap();
    assert_eq!(found.uplink.as_deref(), Some("side0"));
    assert_eq!(
        found.gateway.map(|g| g.to_string()).as_deref(),
        Some("198.51.100.1")
    );

    sb.ip(&[
        &["route", "del", "default"][..],
        &via_side,
        &["metric", "500"],
    ]
    .concat());
    assert!(uplink_facts(ns, &Uplink::Auto).await.unwrap().is_none());
    // Named, the uplink is found without a default route.
    let named = uplink_facts(ns, &Uplink::Named("eth0".into())).await;
    assert_eq!(named.unwrap().unwrap().uplink.as_deref(), Some("eth0"));
}
