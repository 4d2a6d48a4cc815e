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

/// The reference's `[neutron.external_network]` is commented out (tests
/// apply it without a cloud); uncommented, it validates and declares what
/// the plumbing derives.
#[test]
fn the_reference_external_network_block_validates_uncommented() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/openstack-aio.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(aio_topology::load(&path).unwrap().neutron.is_none());
    let start = text
        .find("# [neutron.external_network]")
        .expect("the commented block");
    let block: String = text[start..]
        .lines()
        .take_while(|l| l.starts_with("# "))
        .map(|l| format!("{}\n", &l[2..]))
        .collect();
    assert_eq!(block.lines().count(), 8, "{block}");
    let t = aio_topology::parse_str("openstack-aio.toml", format!("{text}{block}"))
        .unwrap_or_else(|d| panic!("{d}"));
    let declared = t
        .neutron
        .as_ref()
        .unwrap()
        .external_network
        .clone()
        .unwrap();
    let derived = t.external_bridge().unwrap();
    assert_eq!(declared.cidr.unwrap().value, derived.subnet());
    assert_eq!(declared.gateway.unwrap().value, derived.gateway());
    let pool = aio_topology::derived_pool(derived.subnet(), &t.declared_ipv4());
    assert_eq!(declared.allocation_pool.unwrap().value, pool.unwrap());
}

/// The reference's `[nfs]`: Cinder's share exported to the host itself,
/// remote root kept as root, the defaults filled in.
#[test]
fn the_reference_exports_cinders_share_to_the_host_only() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/openstack-aio.toml");
    let t = aio_topology::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let nfs = t.nfs.unwrap();
    assert_eq!(nfs.cinder_share.unwrap().value, "/mnt/nfs");
    assert_eq!(nfs.address.value.raw(), "${uplink_address}");
    let export = &nfs.exports["/mnt/nfs"];
    let clients: Vec<String> = export.clients.iter().map(|c| c.value.raw()).collect();
    assert_eq!(clients, ["${uplink_address}"]);
    let options: Vec<&str> = export.options.iter().map(|o| o.value.as_str()).collect();
    assert_eq!(
        options,
        ["rw", "sync", "no_subtree_check", "no_root_squash"]
    );
    assert_eq!(export.mode.value, 0o777);
    assert_eq!((&export.owner, &export.group), (&None, &None));
    assert!(!export.any_client);
}
