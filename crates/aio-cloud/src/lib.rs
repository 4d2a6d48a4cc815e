//! The cloud side in the same graph as the plumbing.
//!
//! The `neutron` family keeps Neutron's external network and its subnet
//! as resources (`neutron-network/external`, `neutron-subnet/external`):
//! declared in `[neutron.external_network]`, what is not declared derived
//! from the plumbing (the subnet and address of the bridge behind
//! `neutron_external_interface`, a pool clear of every host address), so
//! the two sides agree by construction. They wait for Kolla's deployment,
//! whose post-deploy writes the `clouds.yaml` aio signs in with. Neutron
//! cannot change a network's type or physnet, nor a subnet's CIDR, in
//! place: those are replaced, and a replace is refused while floating IPs
//! or ports use the network. A network of the declared name that aio did
//! not make (Kolla's `init-runonce` makes `public1`) is planned like any
//! other object aio did not make: its differences are fixed in place, and
//! `aio adopt` takes it over, tagging it `aio:external-network`.
//!
//! Octavia's management network belongs to Kolla's Octavia role: aio
//! only reads it (`octavia-network/NAME`, a checked resource) and reports
//! where it disagrees with the plumbing (its VLAN and the OVS port's tag,
//! its physnet, its gateway and `octavia_network_interface`'s address,
//! its MTU and the physnet's) as a conflict, located at each line of the
//! topology that holds the value.

mod apply;
mod attrs;
mod error;
mod family;
mod locate;
mod observe;
mod provider;
mod session;
pub mod spec;
mod users;

use aio_engine::ProviderName;

pub use attrs::{NETWORK, OCTAVIA, OWNER_TAG, SUBNET, network_id, octavia_id, subnet_id};
pub use family::Cloud;
pub use provider::CloudProvider;
pub use session::Sign;

/// The provider name of the cloud side's resources.
pub const PROVIDER: ProviderName = ProviderName::new("neutron");
