//! Small topologies that more than one test file declares, and the pieces
//! they are built of: a test joins the pieces it needs (`format!`), so each
//! piece of the reference plumbing is written once.

/// A topology's first lines: the uplink is the interface of the default route.
pub const HEAD: &str = "version = 1\n[host]\nuplink = \"auto\"\n";

/// Forwarding on.
pub const FORWARDING: &str = "\n[sysctl]\n\"net.ipv4.ip_forward\" = 1\n";

/// dummy1, the bridge the guests' subnet lives on, with the host's address.
pub const DUMMY1: &str = r#"
[interfaces.dummy1]
type = "bridge"
addresses = ["10.0.2.2/24"]
"#;

/// The veth pair from OVS (veth-ovs) to dummy1 (veth-br).
pub const VETH_TO_DUMMY1: &str = r#"
[interfaces.veth-ovs]
type = "veth"
peer = "veth-br"

[interfaces.veth-br]
master = "dummy1"
"#;

/// dummy1's subnet masqueraded out of the uplink.
pub const MASQUERADE: &str = r#"
[[nat]]
source = "10.0.2.0/24"
out = "${uplink}"
"#;

/// The Octavia port pair: v-lbaas-vlan for OVS, v-lbaas with the host's
/// address on the management network.
pub const LBAAS: &str = r#"
[interfaces.v-lbaas-vlan]
type = "veth"
peer = "v-lbaas"

[interfaces.v-lbaas]
addresses = ["172.18.255.254/16"]
"#;

/// dummy1 with an address, forwarding on, and dummy1's subnet masqueraded
/// out of the uplink: what a guest behind dummy1 needs to reach upstream.
pub fn nat() -> String {
    format!("{HEAD}{FORWARDING}{DUMMY1}{MASQUERADE}")
}

/// The network part of the seed's two scripts: dummy1 with its veth pair,
/// the masquerade and the Octavia port pair.
pub fn seed_network() -> String {
    format!("{HEAD}{DUMMY1}{VETH_TO_DUMMY1}{MASQUERADE}{LBAAS}")
}
