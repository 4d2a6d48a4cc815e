//! aio's Neutron client: talks to Neutron as the cloud's own clients do.
//!
//! Credentials come from a `clouds.yaml` ([`Credentials`]; Kolla's
//! post-deploy writes `<config_dir>/clouds.yaml` with cloud `kolla-admin`).
//! [`Client::connect`] authenticates with Keystone v3 (password method,
//! scoped to the project), keeps the token Keystone returns in
//! `X-Subject-Token`, and finds Neutron in the token's catalog (service
//! type `network`, the cloud's interface and region). Every call after
//! that carries the token; a 401 authenticates again, once. TLS is
//! honoured: `cacert` replaces the Mozilla roots, `verify: false` turns
//! checks off and is logged as a warning. With a network namespace
//! (a rehearsal, the sandbox), every connection is made inside it.
//!
//! The calls are the few aio's cloud-side resources need: networks (list
//! by name or tag, show, create with provider fields, update name and
//! `router:external`, delete, tags), subnets (list, show, create, update
//! name, gateway, pools and DHCP, delete), and who uses a network (ports,
//! floating IPs). Objects are typed ([`Network`], [`Subnet`], [`Port`],
//! [`FloatingIp`]) with only the fields aio reads, ids are typed
//! ([`NetworkId`]...). [`Client::stats`] counts the HTTP calls and their
//! time, for a plan to say what its cloud side cost.
//!
//! Secrets: the password and the token are [`Secret`]s, whose `Debug`
//! shows nothing of them; errors are built from the method, the URL, the
//! status and the fault's message, never from a request body or header.
//!
//! # Why not `openstack_sdk`
//!
//! The OpenStack Rust SDK (`openstack_sdk` 0.22, with only `sync`,
//! `identity` and `network`) was weighed first. It does not fit aio: it
//! needs Rust 1.91 (the workspace supports 1.85); it resolves to about 200
//! crates (hyper, reqwest with HTTP/2 and SOCKS, `config`, `dialoguer`
//! for interactive prompts, chrono, regex, every auth plugin), where this
//! crate adds about 17 (ureq, rustls with ring, webpki-roots) for a dozen
//! REST calls; its blocking client wraps the async one in a runtime of its
//! own and panics when called from inside another (aio runs on tokio);
//! and its connections are made on that runtime's threads, so they cannot
//! be bound to a network namespace as aio's rehearsals need.

mod client;
pub mod clouds;
mod error;
mod ids;
mod keystone;
mod model;
mod networks;
mod secret;
mod stats;
mod subnets;
mod transport;
mod url;
mod users;

pub use client::Client;
pub use clouds::{CloudsError, Credentials, DEFAULT_CLOUD, Interface};
pub use error::NeutronError;
pub use ids::{FloatingIpId, NetworkId, PortId, SubnetId};
pub use model::{
    AllocationPool, FixedIp, FloatingIp, Network, NetworkUpdate, NewNetwork, NewSubnet, Port,
    Subnet, SubnetUpdate,
};
pub use networks::NetworkFilter;
pub use secret::Secret;
pub use stats::Stats;
