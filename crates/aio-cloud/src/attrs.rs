//! The cloud side's resources as the engine sees them: their kinds and
//! ids, and their attributes, both as the topology wants them and as
//! Neutron's objects show them.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use aio_engine::{Attrs, Kind, ResourceId, TypedAttrs};
use aio_neutron::{AllocationPool, Network, Subnet};

use crate::spec::{External, Octavia};

/// Neutron's external network. One per topology: its id names the role
/// (`neutron-network/external`), its `name` is an attribute, so a rename
/// is an update in place.
pub const NETWORK: Kind = Kind::new("neutron-network");
/// The external network's subnet.
pub const SUBNET: Kind = Kind::new("neutron-subnet");
/// Octavia's management network, checked, never changed.
pub const OCTAVIA: Kind = Kind::new("octavia-network");
/// The role of the external network and its subnet in their ids.
pub const EXTERNAL: &str = "external";
/// The Neutron tag on the network aio made or took over.
pub const OWNER_TAG: &str = "aio:external-network";

pub fn network_id() -> ResourceId {
    ResourceId::new(&NETWORK, EXTERNAL)
}

pub fn subnet_id() -> ResourceId {
    ResourceId::new(&SUBNET, EXTERNAL)
}

pub fn octavia_id(name: &str) -> ResourceId {
    ResourceId::new(&OCTAVIA, name)
}

/// What Neutron cannot change of a network in place.
pub const NETWORK_REPLACED_ON: [&str; 2] = ["network_type", "physical_network"];
/// What Neutron cannot change of a subnet in place.
pub const SUBNET_REPLACED_ON: [&str; 1] = ["cidr"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAttrs {
    pub name: String,
    pub external: bool,
    pub network_type: Option<String>,
    pub physical_network: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetAttrs {
    pub name: String,
    pub cidr: String,
    pub gateway_ip: Option<String>,
    /// `FIRST-LAST`, in Neutron's order.
    pub allocation_pools: Vec<String>,
    pub enable_dhcp: bool,
}

impl NetworkAttrs {
    pub fn wanted(e: &External) -> Attrs {
        NetworkAttrs {
            name: e.name.clone(),
            external: true,
            network_type: Some("flat".into()),
            physical_network: Some(e.physical_network.clone()),
        }
        .to_attrs()
    }

    pub fn found(n: &Network) -> Attrs {
        NetworkAttrs {
            name: n.name.clone(),
            external: n.external,
            network_type: n.network_type.clone(),
            physical_network: n.physical_network.clone(),
        }
        .to_attrs()
    }
}

impl SubnetAttrs {
    pub fn wanted(e: &External) -> Attrs {
        SubnetAttrs {
            name: e.subnet.clone(),
            cidr: e.cidr.to_string(),
            gateway_ip: Some(e.gateway.to_string()),
            allocation_pools: vec![format!("{}-{}", e.pool.0, e.pool.1)],
            enable_dhcp: e.dhcp,
        }
        .to_attrs()
    }

    pub fn found(s: &Subnet) -> Attrs {
        SubnetAttrs {
            name: s.name.clone(),
            cidr: s.cidr.to_string(),
            gateway_ip: s.gateway_ip.map(|g| g.to_string()),
            allocation_pools: s
                .allocation_pools
                .iter()
                .map(|p| format!("{}-{}", p.start, p.end))
                .collect(),
            enable_dhcp: s.enable_dhcp,
        }
        .to_attrs()
    }

    /// The pools as Neutron takes them; a pool that is not `FIRST-LAST`
    /// of two addresses is left out (aio writes none).
    pub fn pools(&self) -> Vec<AllocationPool> {
        self.allocation_pools
            .iter()
            .filter_map(|p| {
                let (start, end) = p.split_once('-')?;
                Some(AllocationPool {
                    start: start.parse().ok()?,
                    end: end.parse().ok()?,
                })
            })
            .collect()
    }
}

/// What the plumbing pins down of Octavia's network: only those keys are
/// compared.
pub fn octavia_wanted(o: &Octavia) -> Attrs {
    let mut attrs = Attrs::new();
    if let Some((_, tag)) = &o.port {
        attrs.insert("network_type", json!("vlan"));
        attrs.insert("segmentation_id", json!(tag));
    }
    if let Some(physnet) = &o.physical_network {
        attrs.insert("physical_network", json!(physnet));
    }
    if let Some((_, gateway)) = &o.gateway {
        attrs.insert("gateway_ip", json!(gateway.to_string()));
    }
    if let Some(mtu) = o.mtu {
        attrs.insert("mtu", json!(mtu));
    }
    attrs
}

/// Octavia's network as found, with the gateway of its IPv4 subnets (the
/// first one's; `null` when it has none).
pub fn octavia_found(n: &Network, subnets: &[Subnet]) -> Attrs {
    let gateway = subnets
        .iter()
        .filter(|s| s.ip_version == 4)
        .find_map(|s| s.gateway_ip)
        .map_or(Value::Null, |g| json!(g.to_string()));
    let mut attrs = Attrs::new();
    attrs.insert("network_type", json!(n.network_type));
    attrs.insert("segmentation_id", json!(n.segmentation_id));
    attrs.insert("physical_network", json!(n.physical_network));
    attrs.insert("gateway_ip", gateway);
    attrs.insert("mtu", json!(n.mtu));
    attrs
}
