//! Subnets.

use ureq::http::Method;

use crate::client::Client;
use crate::error::NeutronError;
use crate::ids::{NetworkId, SubnetId};
use crate::model::{NewSubnet, Subnet, SubnetUpdate};
use crate::url::{path, query};

impl Client {
    /// `GET /v2.0/subnets?network_id=...`: the subnets of `network`.
    pub fn subnets(&self, network: &NetworkId) -> Result<Vec<Subnet>, NeutronError> {
        let path = format!(
            "{}{}",
            path(&["subnets"]),
            query(&[("network_id", network.as_str())])
        );
        self.call_for(Method::GET, &path, None, "subnets")
    }

    /// `GET /v2.0/subnets/{id}`.
    pub fn subnet(&self, id: &SubnetId) -> Result<Subnet, NeutronError> {
        let path = path(&["subnets", id.as_str()]);
        self.call_for(Method::GET, &path, None, "subnet")
    }

    /// `POST /v2.0/subnets`.
    pub fn create_subnet(&self, new: &NewSubnet) -> Result<Subnet, NeutronError> {
        self.call_for(Method::POST, "/subnets", Some(&new.body()), "subnet")
    }

    /// `PUT /v2.0/subnets/{id}` with the fields `update` sets.
    pub fn update_subnet(
        &self,
        id: &SubnetId,
        update: &SubnetUpdate,
    ) -> Result<Subnet, NeutronError> {
        let path = path(&["subnets", id.as_str()]);
        self.call_for(Method::PUT, &path, Some(&update.body()), "subnet")
    }

    /// `DELETE /v2.0/subnets/{id}` (Neutron refuses while ports have
    /// addresses in it).
    pub fn delete_subnet(&self, id: &SubnetId) -> Result<(), NeutronError> {
        let path = path(&["subnets", id.as_str()]);
        self.call(Method::DELETE, &path, None).map(drop)
    }
}
