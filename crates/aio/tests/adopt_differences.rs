//! `aio adopt` takes objects as they are, and says how each differs from
//! the topology (an OVS port's tag, a link's MTU); the next `aio apply`
//! changes them. Proven against a sandbox namespace and a private
//! ovsdb-server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Sandbox;
use common::run::said as text;

#[test]
fn adopt_shows_how_what_it_takes_over_differs_and_apply_then_changes_it() {
    let sb = &Sandbox::new();
    let t = sb.reference();
    // The Octavia port as made by hand: the default MTU, the wrong tag.
    sb.veth("v-lbaas-vlan", "v-lbaas");
    sb.ovsdb
        .vsctl(&["add-port", "br-ex", "v-lbaas-vlan", "tag=99"]);
    let root = tempfile::tempdir().unwrap();
    let adopt = sb.aio(
        "adopt",
        &t,
        &["--yes", "--root", root.path().to_str().unwrap()],
    );
    let shown = text(&adopt);
    assert!(adopt.status.success(), "{shown}");
    let line = |id: &str| {
        shown
            .lines()
            .find(|l| l.starts_with(&format!("  = {id}")))
            .unwrap_or_else(|| panic!("{id} not adopted:\n{shown}"))
            .to_string()
    };
    assert_eq!(
        line("ovs-port/br-ex/v-lbaas-vlan"),
        "  = ovs-port/br-ex/v-lbaas-vlan  tag: 99 -> 1718  (as found; `aio apply` then changes it)"
    );
    assert!(
        line("link/v-lbaas-vlan").contains("mtu: 1500 -> 9000"),
        "{shown}"
    );
    // Adopting took them as they are.
    assert_eq!(
        sb.ovsdb.vsctl(&["get", "port", "v-lbaas-vlan", "tag"]),
        "99"
    );

    sb.apply(&t);
    assert_eq!(
        sb.ovsdb.vsctl(&["get", "port", "v-lbaas-vlan", "tag"]),
        "1718"
    );
    assert_eq!(sb.links()["v-lbaas-vlan"]["mtu"], 9000);
    let left: Vec<(String, String)> = sb.plan(&t);
    assert!(left.is_empty(), "{left:?}");
}
