//! Who uses a network: its ports and the floating IPs taken from it, to
//! name them when a change would break them.

use serde_json::json;
use ureq::http::Method;

use crate::client::Client;
use crate::error::NeutronError;
use crate::ids::{FloatingIpId, NetworkId};
use crate::model::{FloatingIp, Port};
use crate::url::{path, query};

impl Client {
    /// `GET /v2.0/ports?network_id=...`: every port on `network`, the
    /// router gateways, floating IPs' and DHCP's own included (see
    /// [`Port::device_owner`]).
    pub fn ports(&self, network: &NetworkId) -> Result<Vec<Port>, NeutronError> {
        let path = format!(
            "{}{}",
            path(&["ports"]),
            query(&[("network_id", network.as_str())])
        );
        self.call_for(Method::GET, &path, None, "ports")
    }

    /// `GET /v2.0/floatingips?floating_network_id=...`: the floating IPs
    /// taken from `network`.
    pub fn floating_ips(&self, network: &NetworkId) -> Result<Vec<FloatingIp>, NeutronError> {
        let path = format!(
            "{}{}",
            path(&["floatingips"]),
            query(&[("floating_network_id", network.as_str())])
        );
        self.call_for(Method::GET, &path, None, "floatingips")
    }

    /// `POST /v2.0/floatingips`: a floating IP from `network`, bound to no
    /// port (what an operator's `openstack floating ip create` makes).
    pub fn create_floating_ip(&self, network: &NetworkId) -> Result<FloatingIp, NeutronError> {
        let body = json!({ "floatingip": { "floating_network_id": network } });
        self.call_for(Method::POST, "/floatingips", Some(&body), "floatingip")
    }

    /// `DELETE /v2.0/floatingips/{id}`.
    pub fn delete_floating_ip(&self, id: &FloatingIpId) -> Result<(), NeutronError> {
        let path = path(&["floatingips", id.as_str()]);
        self.call(Method::DELETE, &path, None).map(drop)
    }
}
