//! What Neutron has of the cloud side's resources.
//!
//! The external network is the one carrying aio's tag ([`OWNER_TAG`]);
//! without one, the network of the declared name (Kolla's `init-runonce`
//! made `public1`), which `aio adopt` then tags. Its subnet is the one of
//! the declared name, else its only IPv4 subnet. Octavia's network is
//! found by name. Who uses the external network is asked only when a
//! replace is coming, for the check that refuses it.

use aio_engine::{Attrs, Identity, Observed, ProviderError, ResourceId};
use aio_neutron::{Client, Network, NetworkFilter, Subnet};

use crate::attrs::{
    self, NETWORK, NETWORK_REPLACED_ON, NetworkAttrs, OCTAVIA, OWNER_TAG, SUBNET,
    SUBNET_REPLACED_ON, SubnetAttrs,
};
use crate::error::api;
use crate::session::{Inner, Seen};

pub(crate) fn observe(inner: &Inner, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
    let since = inner.since();
    let client = inner.client()?;
    let mut out = Observed::new();
    let mut seen = Seen::default();
    if ids.iter().any(|id| id.is(&NETWORK) || id.is(&SUBNET)) {
        let name = inner.external.as_ref().map(|e| e.name.as_str());
        seen.network = external_network(&client, name)?;
    }
    if let Some(network) = &seen.network {
        let subnets = client.subnets(&network.id).map_err(api)?;
        let name = inner.external.as_ref().map(|e| e.subnet.as_str());
        seen.subnet = pick_subnet(subnets, name);
        let found = NetworkAttrs::found(network);
        out.insert_identified(
            attrs::network_id(),
            found.clone(),
            Identity(network.id.to_string()),
        );
        if let Some(subnet) = &seen.subnet {
            out.insert_identified(
                attrs::subnet_id(),
                SubnetAttrs::found(subnet),
                Identity(subnet.id.to_string()),
            );
        }
        if replace_coming(inner, &found, seen.subnet.as_ref()) {
            seen.users = crate::users::of(&client, network)?;
        }
    }
    for id in ids.iter().filter(|id| id.is(&OCTAVIA)) {
        if let Some(found) = octavia(&client, id.name())? {
            out.insert(id.clone(), found);
        }
    }
    inner.settle(since, seen);
    Ok(out)
}

/// The network tagged as aio's, else the one named `name`.
fn external_network(client: &Client, name: Option<&str>) -> Result<Option<Network>, ProviderError> {
    let tagged = client
        .networks(NetworkFilter {
            tag: Some(OWNER_TAG),
            ..NetworkFilter::default()
        })
        .map_err(api)?;
    match tagged.len() {
        0 => {}
        1 => return Ok(tagged.into_iter().next()),
        n => {
            return Err(ProviderError::conflict(format!(
                "{n} networks carry the tag {OWNER_TAG} ({}): remove it from all but the one aio keeps \
                 (`openstack network unset --tag {OWNER_TAG} ID`)",
                ids_of(&tagged)
            )));
        }
    }
    let Some(name) = name else {
        return Ok(None);
    };
    let named = client
        .networks(NetworkFilter {
            name: Some(name),
            ..NetworkFilter::default()
        })
        .map_err(api)?;
    if named.len() > 1 {
        return Err(ProviderError::conflict(format!(
            "{} networks are named {name} ({}): tag the one aio should keep \
             (`openstack network set --tag {OWNER_TAG} ID`) or rename the others",
            named.len(),
            ids_of(&named)
        )));
    }
    Ok(named.into_iter().next())
}

fn ids_of(networks: &[Network]) -> String {
    networks
        .iter()
        .map(|n| n.id.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The subnet named `name`, else the only IPv4 one.
fn pick_subnet(subnets: Vec<Subnet>, name: Option<&str>) -> Option<Subnet> {
    if let Some(s) = subnets.iter().find(|s| Some(s.name.as_str()) == name) {
        return Some(s.clone());
    }
    let mut v4 = subnets.into_iter().filter(|s| s.ip_version == 4);
    match (v4.next(), v4.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// Whether what was found differs from what is wanted in what Neutron
/// cannot change in place.
fn replace_coming(inner: &Inner, network: &Attrs, subnet: Option<&Subnet>) -> bool {
    let Some(external) = &inner.external else {
        return false;
    };
    let differs = |wanted: &Attrs, found: &Attrs, keys: &[&str]| {
        keys.iter().any(|k| wanted.get(k) != found.get(k))
    };
    let network_wanted = NetworkAttrs::wanted(external);
    let subnet_differs = subnet.is_some_and(|s| {
        differs(
            &SubnetAttrs::wanted(external),
            &SubnetAttrs::found(s),
            &SUBNET_REPLACED_ON,
        )
    });
    differs(&network_wanted, network, &NETWORK_REPLACED_ON) || subnet_differs
}

/// Octavia's network named `name` and its gateway, if it exists.
fn octavia(client: &Client, name: &str) -> Result<Option<Attrs>, ProviderError> {
    let networks = client
        .networks(NetworkFilter {
            name: Some(name),
            ..NetworkFilter::default()
        })
        .map_err(api)?;
    let Some(network) = networks.into_iter().next() else {
        return Ok(None);
    };
    let subnets = client.subnets(&network.id).map_err(api)?;
    Ok(Some(attrs::octavia_found(&network, &subnets)))
}
