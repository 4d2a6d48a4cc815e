//! Small topologies that more than one test file declares.

/// dummy1 with an address, forwarding on, and dummy1's subnet masqueraded
/// out of the uplink: what a guest behind dummy1 needs to reach upstream.
pub const NAT: &str = r#"version = 1
[host]
uplink = "auto"

[sysctl]
"net.ipv4.ip_forward" = 1

[interfaces.dummy1]
type = "bridge"
addresses = ["10.0.2.2/24"]

[[nat]]
source = "10.0.2.0/24"
out = "${uplink}"
"#;
