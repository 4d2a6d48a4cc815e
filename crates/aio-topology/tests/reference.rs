//! The reference topology validates. (The bad-input corpus is walked by the
//! `aio` binary's tests, through `aio plan --netns`.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

#[test]
fn reference_topology_validates() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/openstack-aio.toml");
    let t = aio_topology::load(&path).unwrap();
    assert_eq!(t.interfaces.len(), 5);
    assert!(matches!(
        t.interfaces["veth-br"].kind,
        aio_topology::InterfaceKind::VethPeer { .. }
    ));
}
