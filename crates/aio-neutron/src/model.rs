//! Neutron's objects as aio reads and writes them: only the fields aio's
//! resources use, named as Neutron names them on the wire.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::ids::{FloatingIpId, NetworkId, PortId, SubnetId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Network {
    pub id: NetworkId,
    pub name: String,
    #[serde(default)]
    pub status: String,
    #[serde(rename = "router:external", default)]
    pub external: bool,
    #[serde(rename = "provider:network_type", default)]
    pub network_type: Option<String>,
    #[serde(rename = "provider:physical_network", default)]
    pub physical_network: Option<String>,
    #[serde(rename = "provider:segmentation_id", default)]
    pub segmentation_id: Option<u32>,
    #[serde(default)]
    pub mtu: Option<u32>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub subnets: Vec<SubnetId>,
}

/// A network to make. The provider fields are admin-only; what is `None`
/// Neutron chooses (a VLAN's segmentation id, the MTU of the physnet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNetwork {
    pub name: String,
    pub external: bool,
    /// `flat`, `vlan`, `geneve`...
    pub network_type: String,
    pub physical_network: Option<String>,
    pub segmentation_id: Option<u32>,
    pub mtu: Option<u32>,
}

impl NewNetwork {
    pub(crate) fn body(&self) -> Value {
        let mut network = Map::new();
        network.insert("name".into(), json!(self.name));
        network.insert("router:external".into(), json!(self.external));
        network.insert("provider:network_type".into(), json!(self.network_type));
        if let Some(physnet) = &self.physical_network {
            network.insert("provider:physical_network".into(), json!(physnet));
        }
        if let Some(segment) = self.segmentation_id {
            network.insert("provider:segmentation_id".into(), json!(segment));
        }
        if let Some(mtu) = self.mtu {
            network.insert("mtu".into(), json!(mtu));
        }
        json!({ "network": network })
    }
}

/// What to change of a network in place; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkUpdate {
    pub name: Option<String>,
    pub external: Option<bool>,
}

impl NetworkUpdate {
    pub(crate) fn body(&self) -> Value {
        let mut network = Map::new();
        if let Some(name) = &self.name {
            network.insert("name".into(), json!(name));
        }
        if let Some(external) = self.external {
            network.insert("router:external".into(), json!(external));
        }
        json!({ "network": network })
    }
}

/// A range of addresses Neutron hands out, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationPool {
    pub start: IpAddr,
    pub end: IpAddr,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subnet {
    pub id: SubnetId,
    pub name: String,
    pub network_id: NetworkId,
    pub cidr: IpNet,
    pub ip_version: u8,
    /// `None`: the subnet has no gateway.
    pub gateway_ip: Option<IpAddr>,
    #[serde(default)]
    pub allocation_pools: Vec<AllocationPool>,
    pub enable_dhcp: bool,
}

/// A subnet to make on `network_id`; its IP version is the CIDR's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubnet {
    pub network_id: NetworkId,
    pub name: String,
    pub cidr: IpNet,
    /// `None`: Neutron's default, the CIDR's first address.
    pub gateway_ip: Option<IpAddr>,
    /// Empty: Neutron's default, the whole CIDR but the gateway.
    pub allocation_pools: Vec<AllocationPool>,
    pub enable_dhcp: bool,
}

impl NewSubnet {
    pub(crate) fn body(&self) -> Value {
        let version = match self.cidr {
            IpNet::V4(_) => 4,
            IpNet::V6(_) => 6,
        };
        let mut subnet = Map::new();
        subnet.insert("network_id".into(), json!(self.network_id));
        subnet.insert("name".into(), json!(self.name));
        subnet.insert("cidr".into(), json!(self.cidr.to_string()));
        subnet.insert("ip_version".into(), json!(version));
        subnet.insert("enable_dhcp".into(), json!(self.enable_dhcp));
        if let Some(gateway) = self.gateway_ip {
            subnet.insert("gateway_ip".into(), json!(gateway));
        }
        if !self.allocation_pools.is_empty() {
            subnet.insert("allocation_pools".into(), json!(self.allocation_pools));
        }
        json!({ "subnet": subnet })
    }
}

/// What to change of a subnet in place (what Neutron lets change: not the
/// CIDR nor the IP version); `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubnetUpdate {
    pub name: Option<String>,
    pub gateway_ip: Option<IpAddr>,
    pub allocation_pools: Option<Vec<AllocationPool>>,
    pub enable_dhcp: Option<bool>,
}

impl SubnetUpdate {
    pub(crate) fn body(&self) -> Value {
        let mut subnet = Map::new();
        if let Some(name) = &self.name {
            subnet.insert("name".into(), json!(name));
        }
        if let Some(gateway) = self.gateway_ip {
            subnet.insert("gateway_ip".into(), json!(gateway));
        }
        if let Some(pools) = &self.allocation_pools {
            subnet.insert("allocation_pools".into(), json!(pools));
        }
        if let Some(dhcp) = self.enable_dhcp {
            subnet.insert("enable_dhcp".into(), json!(dhcp));
        }
        json!({ "subnet": subnet })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedIp {
    pub subnet_id: SubnetId,
    pub ip_address: IpAddr,
}

/// A port: who uses a network (`device_owner` says what kind of user:
/// `network:router_gateway`, `network:floatingip`, `compute:nova`...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Port {
    pub id: PortId,
    #[serde(default)]
    pub name: String,
    pub network_id: NetworkId,
    #[serde(default)]
    pub device_owner: String,
    #[serde(default)]
    pub device_id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub fixed_ips: Vec<FixedIp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloatingIp {
    pub id: FloatingIpId,
    pub floating_ip_address: IpAddr,
    pub floating_network_id: NetworkId,
    /// The port it is bound to, if any.
    pub port_id: Option<PortId>,
    #[serde(default)]
    pub status: String,
}
