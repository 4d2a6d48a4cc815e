//! Networks and their tags.

use serde::Deserialize;
use ureq::http::Method;

use crate::client::Client;
use crate::error::NeutronError;
use crate::ids::NetworkId;
use crate::model::{Network, NetworkUpdate, NewNetwork};
use crate::url::{path, query};

/// Which networks to list; Neutron filters, every field given must match.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetworkFilter<'a> {
    pub name: Option<&'a str>,
    /// Networks that carry this tag.
    pub tag: Option<&'a str>,
}

impl Client {
    /// `GET /v2.0/networks`, filtered.
    pub fn networks(&self, filter: NetworkFilter<'_>) -> Result<Vec<Network>, NeutronError> {
        let mut pairs = Vec::new();
        if let Some(name) = filter.name {
            pairs.push(("name", name));
        }
        if let Some(tag) = filter.tag {
            pairs.push(("tags", tag));
        }
        let path = format!("{}{}", path(&["networks"]), query(&pairs));
        self.call_for(Method::GET, &path, None, "networks")
    }

    /// `GET /v2.0/networks/{id}`.
    pub fn network(&self, id: &NetworkId) -> Result<Network, NeutronError> {
        let path = path(&["networks", id.as_str()]);
        self.call_for(Method::GET, &path, None, "network")
    }

    /// `POST /v2.0/networks`.
    pub fn create_network(&self, new: &NewNetwork) -> Result<Network, NeutronError> {
        self.call_for(Method::POST, "/networks", Some(&new.body()), "network")
    }

    /// `PUT /v2.0/networks/{id}` with the fields `update` sets.
    pub fn update_network(
        &self,
        id: &NetworkId,
        update: &NetworkUpdate,
    ) -> Result<Network, NeutronError> {
        let path = path(&["networks", id.as_str()]);
        self.call_for(Method::PUT, &path, Some(&update.body()), "network")
    }

    /// `DELETE /v2.0/networks/{id}` (its subnets go with it; Neutron
    /// refuses while ports other than its own DHCP's use it).
    pub fn delete_network(&self, id: &NetworkId) -> Result<(), NeutronError> {
        let path = path(&["networks", id.as_str()]);
        self.call(Method::DELETE, &path, None).map(drop)
    }

    /// `PUT /v2.0/networks/{id}/tags/{tag}`: adds `tag`, keeping the others.
    pub fn add_network_tag(&self, id: &NetworkId, tag: &str) -> Result<(), NeutronError> {
        let path = path(&["networks", id.as_str(), "tags", tag]);
        self.call(Method::PUT, &path, None).map(drop)
    }

    /// `GET /v2.0/networks/{id}/tags`.
    pub fn network_tags(&self, id: &NetworkId) -> Result<Vec<String>, NeutronError> {
        #[derive(Deserialize)]
        struct Tags(Vec<String>);
        let path = path(&["networks", id.as_str(), "tags"]);
        let tags: Tags = self.call_for(Method::GET, &path, None, "tags")?;
        Ok(tags.0)
    }
}
