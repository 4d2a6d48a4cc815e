//! The topology the VM proofs apply: the plumbing of the reference
//! (`examples/openstack-aio.toml` up to its `[kolla]` table), so that what
//! a real boot proves is the design itself: `dummy1` with its veth pair,
//! NAT of 10.0.2.0/24 out of the uplink, forwarding, and `v-lbaas-vlan`
//! on `br-ex` with tag 1718. Without Kolla, `br-ex` is not "provided by
//! kolla": aio makes it once OVSDB answers.

/// Where the packaged unit reads its topology.
pub const PATH: &str = "/etc/aio/topology.toml";
/// The veth end the drift proof deletes.
pub const VETH: &str = "veth-ovs";
/// Its peer, a port of [`BRIDGE`].
pub const VETH_PEER: &str = "veth-br";
/// The bridge the veth's peer is a port of.
pub const BRIDGE: &str = "dummy1";
/// The network NAT takes out through the uplink.
pub const NAT_SOURCE: &str = "10.0.2.0/24";
/// The OVS bridge (Kolla's in the reference; aio's here).
pub const OVS_BRIDGE: &str = "br-ex";
/// aio's port on it, and its tag.
pub const OVS_PORT: &str = "v-lbaas-vlan";
pub const OVS_TAG: u16 = 1718;

const REFERENCE: &str = include_str!("../../../examples/openstack-aio.toml");

/// The reference's text before its `[kolla]` table, without the
/// `provided_by = "kolla"` that needs it.
pub fn plumbing() -> String {
    let before_kolla = REFERENCE
        .find("\n[kolla]")
        .map_or(REFERENCE, |end| &REFERENCE[..=end]);
    before_kolla
        .lines()
        .filter(|line| !line.trim_start().starts_with("provided_by"))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vm_topology_is_the_reference_without_kolla_and_names_what_the_proofs_touch() {
        let text = plumbing();
        let parsed = aio_topology::parse_str(PATH, text.as_str());
        assert!(parsed.is_ok(), "{:?}", parsed.err().map(|d| d.to_string()));
        assert!(!text.contains("[kolla"), "{text}");
        assert!(text.contains(&format!("[interfaces.{VETH}]")));
        assert!(text.contains(&format!("peer = \"{VETH_PEER}\"")));
        assert!(text.contains(&format!("[interfaces.{BRIDGE}]")));
        assert!(text.contains(&format!("source = \"{NAT_SOURCE}\"")));
        assert!(text.contains(&format!("[ovs.bridges.{OVS_BRIDGE}.ports.{OVS_PORT}]")));
        assert!(text.contains(&format!("tag = {OVS_TAG}")));
    }
}
