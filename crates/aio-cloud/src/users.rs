//! Who uses the external network, and the refusal of a replace while
//! anyone does. Neutron changes neither a network's type or physnet nor a
//! subnet's CIDR in place: a replace deletes and makes again, and deleting
//! an external network takes its floating IPs with it without asking. So
//! aio refuses, naming each user, until they are gone.

use aio_engine::{Action, Change, Detail, ProviderError};
use aio_neutron::{Client, Network, SubnetId};

use crate::attrs::{NETWORK, SUBNET};
use crate::error::api;
use crate::session::Seen;

/// Ports Neutron makes and deletes with the network itself.
const NEUTRONS_OWN: [&str; 2] = ["network:dhcp", "network:distributed"];

/// Every user of `network`, for a person: floating IPs, then ports that
/// are not Neutron's own (a floating IP's own port is its floating IP).
pub(crate) fn of(client: &Client, network: &Network) -> Result<Vec<String>, ProviderError> {
    let mut out: Vec<String> = client
        .floating_ips(&network.id)
        .map_err(api)?
        .iter()
        .map(|f| {
            let bound = f
                .port_id
                .as_ref()
                .map(|p| format!(", bound to port {p}"))
                .unwrap_or_default();
            format!("floating IP {} ({}{bound})", f.floating_ip_address, f.id)
        })
        .collect();
    for port in client.ports(&network.id).map_err(api)? {
        let owner = port.device_owner.as_str();
        if NEUTRONS_OWN.contains(&owner) || owner == "network:floatingip" {
            continue;
        }
        let addresses: Vec<String> = port
            .fixed_ips
            .iter()
            .map(|ip| ip.ip_address.to_string())
            .collect();
        let what = match owner {
            "network:router_gateway" => format!("the gateway port of router {}", port.device_id),
            "" => "an unbound port".to_string(),
            other => format!("a port of {other} {}", port.device_id),
        };
        out.push(format!("{what} ({}, {})", port.id, addresses.join(" ")));
    }
    Ok(out)
}

/// What deleting `network` would take with it that aio did not make: its
/// users, and its subnets but `ours`. Asked right before the delete.
pub(crate) fn in_the_way(
    client: &Client,
    network: &Network,
    ours: Option<&SubnetId>,
) -> Result<Vec<String>, ProviderError> {
    let mut out = of(client, network)?;
    for subnet in client.subnets(&network.id).map_err(api)? {
        if Some(&subnet.id) != ours {
            out.push(format!(
                "subnet {} ({}, {}), not aio's",
                subnet.name, subnet.id, subnet.cidr
            ));
        }
    }
    Ok(out)
}

fn replaces_what_is_used(change: &Change, seen: &Seen) -> bool {
    change.action == Action::Replace
        && (change.id.is(&NETWORK) || change.id.is(&SUBNET))
        && !seen.users.is_empty()
}

pub(crate) fn check(change: &Change, seen: &Seen) -> Result<(), ProviderError> {
    if !replaces_what_is_used(change, seen) {
        return Ok(());
    }
    let why: Vec<String> = change
        .differences()
        .iter()
        .map(|(k, before, after)| format!("{k} {before} -> {after}"))
        .collect();
    let network = seen
        .network
        .as_ref()
        .map_or("the network", |n| n.name.as_str());
    Err(ProviderError::refused(format!(
        "-/+ {} must be replaced ({}: Neutron cannot change that in place), which would delete it \
         under what uses {network}: {}. Delete those first, or keep the topology's value",
        change.id,
        why.join(", "),
        seen.users.join("; ")
    )))
}

pub(crate) fn describe(change: &Change, seen: &Seen) -> Option<Detail> {
    if change.action != Action::Replace || seen.users.is_empty() {
        return None;
    }
    let mut lines = vec!["used by:".to_string()];
    lines.extend(seen.users.iter().map(|u| format!("  {u}")));
    Some(lines.join("\n").into())
}
