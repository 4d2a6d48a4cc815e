//! Carrying out one change of the external network or its subnet.
//! Octavia's network never gets one (it is only checked).

use aio_engine::{Action, Attrs, Change, ProviderError, TypedAttrs};
use aio_neutron::{Client, Network, NetworkUpdate, NewNetwork, NewSubnet, SubnetUpdate};

use crate::attrs::{NETWORK, NetworkAttrs, OWNER_TAG, SUBNET, SubnetAttrs};
use crate::error::api;
use crate::session::Inner;

pub(crate) fn one(inner: &Inner, change: &Change) -> Result<(), ProviderError> {
    if change.id.is(&NETWORK) {
        network(inner, change)
    } else if change.id.is(&SUBNET) {
        subnet(inner, change)
    } else {
        Err(ProviderError::invalid(format!(
            "{}: not a resource the neutron provider changes",
            change.id
        )))
    }
}

fn typed<T: TypedAttrs>(change: &Change, attrs: Option<&Attrs>) -> Result<T, ProviderError> {
    let attrs =
        attrs.ok_or_else(|| ProviderError::invalid(format!("{}: no attributes", change.id)))?;
    T::from_attrs(attrs).map_err(|e| ProviderError::invalid(format!("{}: {e}", change.id)))
}

fn network(inner: &Inner, change: &Change) -> Result<(), ProviderError> {
    let client = inner.client()?;
    let found = inner.seen().network;
    let make = || -> Result<(), ProviderError> {
        let want: NetworkAttrs = typed(change, change.after.as_deref())?;
        let made = client
            .create_network(&NewNetwork {
                name: want.name,
                external: want.external,
                network_type: want.network_type.unwrap_or_else(|| "flat".into()),
                physical_network: want.physical_network,
                segmentation_id: None,
                mtu: None,
            })
            .map_err(api)?;
        client.add_network_tag(&made.id, OWNER_TAG).map_err(api)?;
        inner.remember(|s| {
            s.network = Some(made);
            s.subnet = None;
        });
        Ok(())
    };
    let existing = || {
        found.clone().ok_or_else(|| {
            ProviderError::conflict(format!(
                "{}: the network is no longer there; plan again",
                change.id
            ))
        })
    };
    match change.action {
        Action::Create => make(),
        Action::Update => {
            let want: NetworkAttrs = typed(change, change.after.as_deref())?;
            let net = existing()?;
            let update = NetworkUpdate {
                name: (net.name != want.name).then_some(want.name),
                external: (net.external != want.external).then_some(want.external),
            };
            client
                .update_network(&net.id, &update)
                .map_err(api)
                .map(drop)
        }
        Action::Replace => {
            let net = existing()?;
            nothing_in_the_way(inner, &client, change, &net)?;
            client.delete_network(&net.id).map_err(api)?;
            make()
        }
        Action::Delete => match found {
            Some(net) => {
                nothing_in_the_way(inner, &client, change, &net)?;
                match client.delete_network(&net.id) {
                    Err(e) if e.is_not_found() => Ok(()),
                    other => other.map_err(api),
                }
            }
            None => Ok(()),
        },
        Action::Adopt => client
            .add_network_tag(&existing()?.id, OWNER_TAG)
            .map_err(api),
    }
}

/// Neutron deletes a network with its subnets and floating IPs: refused
/// while anything aio did not make would go with it.
fn nothing_in_the_way(
    inner: &Inner,
    client: &Client,
    change: &Change,
    net: &Network,
) -> Result<(), ProviderError> {
    let ours = inner.seen().subnet.map(|s| s.id);
    let theirs = crate::users::in_the_way(client, net, ours.as_ref())?;
    if theirs.is_empty() {
        return Ok(());
    }
    Err(ProviderError::refused(format!(
        "{} {}: deleting {} would delete with it what aio did not make: {}. \
         Delete those first, or keep the network in the topology",
        change.action.symbol(),
        change.id,
        net.name,
        theirs.join("; ")
    )))
}

fn subnet(inner: &Inner, change: &Change) -> Result<(), ProviderError> {
    let client = inner.client()?;
    let seen = inner.seen();
    let make = || -> Result<(), ProviderError> {
        let want: SubnetAttrs = typed(change, change.after.as_deref())?;
        let network = seen.network.as_ref().ok_or_else(|| {
            ProviderError::conflict(format!(
                "{}: its network is not there; plan again",
                change.id
            ))
        })?;
        let cidr = want.cidr.parse().map_err(|e| {
            ProviderError::invalid(format!("{}: cidr {}: {e}", change.id, want.cidr))
        })?;
        let made = client
            .create_subnet(&NewSubnet {
                network_id: network.id.clone(),
                name: want.name.clone(),
                cidr,
                gateway_ip: gateway(change, &want)?,
                allocation_pools: want.pools(),
                enable_dhcp: want.enable_dhcp,
            })
            .map_err(api)?;
        inner.remember(|s| s.subnet = Some(made));
        Ok(())
    };
    let existing = || {
        seen.subnet.clone().ok_or_else(|| {
            ProviderError::conflict(format!(
                "{}: the subnet is no longer there; plan again",
                change.id
            ))
        })
    };
    match change.action {
        Action::Create => make(),
        Action::Update => {
            let want: SubnetAttrs = typed(change, change.after.as_deref())?;
            let had: SubnetAttrs = typed(change, change.before.as_ref())?;
            let update = SubnetUpdate {
                name: (had.name != want.name).then(|| want.name.clone()),
                gateway_ip: match had.gateway_ip != want.gateway_ip {
                    true => gateway(change, &want)?,
                    false => None,
                },
                allocation_pools: (had.allocation_pools != want.allocation_pools)
                    .then(|| want.pools()),
                enable_dhcp: (had.enable_dhcp != want.enable_dhcp).then_some(want.enable_dhcp),
            };
            client
                .update_subnet(&existing()?.id, &update)
                .map_err(api)
                .map(drop)
        }
        Action::Replace => {
            client.delete_subnet(&existing()?.id).map_err(api)?;
            make()
        }
        Action::Delete => match seen.subnet {
            Some(s) => match client.delete_subnet(&s.id) {
                Err(e) if e.is_not_found() => Ok(()),
                other => other.map_err(api),
            },
            None => Ok(()),
        },
        // The network carries aio's tag; the state records the subnet.
        Action::Adopt => Ok(()),
    }
}

fn gateway(change: &Change, want: &SubnetAttrs) -> Result<Option<std::net::IpAddr>, ProviderError> {
    want.gateway_ip
        .as_deref()
        .map(|g| {
            g.parse()
                .map_err(|e| ProviderError::invalid(format!("{}: gateway {g}: {e}", change.id)))
        })
        .transpose()
}
