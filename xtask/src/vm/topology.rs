//! The topology the VM proofs apply: a bridge with an address, a veth pair
//! with one end on it, NAT of the bridge's network out of the VM's uplink,
//! and IPv4 forwarding. Nothing of Kolla.

/// Where the packaged unit reads its topology.
pub const PATH: &str = "/etc/aio/topology.toml";
/// The veth end the drift proof deletes.
pub const VETH: &str = "veth-test";
/// The bridge the veth's peer is a port of.
pub const BRIDGE: &str = "br-test";

pub const TEXT: &str = r#"version = 1

[sysctl]
"net.ipv4.ip_forward" = 1

[interfaces.br-test]
type = "bridge"
addresses = ["10.20.0.1/24"]

[interfaces.veth-test]
type = "veth"
peer = "veth-test-br"

[interfaces.veth-test-br]
master = "br-test"

[[nat]]
source = "10.20.0.0/24"
out = "${uplink}"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vm_topology_is_valid_and_names_what_the_proofs_touch() {
        let parsed = aio_topology::parse_str(PATH, TEXT);
        assert!(parsed.is_ok(), "{:?}", parsed.err().map(|d| d.to_string()));
        assert!(TEXT.contains(&format!("[interfaces.{VETH}]")));
        assert!(TEXT.contains(&format!("[interfaces.{BRIDGE}]")));
        assert!(TEXT.contains(&format!("master = \"{BRIDGE}\"")));
    }
}
