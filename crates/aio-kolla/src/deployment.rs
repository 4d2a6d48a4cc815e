//! The deployment as one resource: what it is made from for one topology
//! and its facts, and what the engine compares.

use std::collections::BTreeMap;
use std::path::PathBuf;

use aio_engine::{ProviderName, Resource, ResourceId, TypedAttrs};
use aio_family::ids;
use aio_topology::{Facts, MissingFact, Topology};
use serde::{Deserialize, Serialize};

use crate::run_state::RunState;
use crate::{globals, passwords, render};

pub const PROVIDER: ProviderName = ProviderName::new("kolla");

/// The deployment's one resource, `kolla/deployment`.
pub use aio_family::ids::kolla_deployment as resource_id;

/// What the deployment is, as the engine compares it: the package, a digest
/// of each file aio renders (`null` when missing), whether the operator's
/// `globals.yml` is there, whether `passwords.yml` is complete, and where
/// the actions stand ([`RunState`]; `None` before any ran).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KollaAttrs {
    pub package: Option<String>,
    pub files: BTreeMap<String, Option<String>>,
    pub globals_yml: String,
    pub passwords: String,
    pub inputs: Option<RunState>,
}

/// What a deployment's runs depend on, hashed. Its JSON (fields in this
/// order) is the digest's input: a deployment made by an earlier aio keeps
/// its fingerprint, and is not run again, as long as this text stays.
#[derive(Serialize)]
struct Fingerprint<'a> {
    files: &'a BTreeMap<String, String>,
    inventory: &'a str,
    actions: &'a [String],
    addresses: &'a [String],
}

impl Fingerprint<'_> {
    /// The first 16 hex digits of the SHA-256 of its compact JSON.
    fn digest(&self) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        aio_fs::sha256_hex(text.as_bytes())[..16].to_string()
    }
}

/// Everything the deployment is made from, rendered for one topology and its facts.
#[derive(Debug, Clone)]
pub struct Deployment {
    pub venv: PathBuf,
    pub package: String,
    pub config_dir: PathBuf,
    /// A shipped inventory's name (`all-in-one`) or a path.
    pub inventory: String,
    pub actions: Vec<String>,
    /// Paths relative to the config dir, and their contents.
    pub files: BTreeMap<String, String>,
    /// Fingerprint of every input.
    pub inputs: String,
    pub deps: Vec<ResourceId>,
}

impl Deployment {
    /// `None` when the topology has no `[kolla]`.
    pub fn new(topology: &Topology, facts: &Facts) -> Result<Option<Deployment>, MissingFact> {
        let Some(k) = &topology.kolla else {
            return Ok(None);
        };
        let mut files = BTreeMap::new();
        let cinder = crate::cinder::share(topology, facts)?;
        let mut all_globals = k.globals.clone();
        if let Some(share) = &cinder {
            share.switch_on(&mut all_globals);
            files.insert(crate::cinder::NFS_SHARES.to_string(), share.nfs_shares());
        }
        files.insert(
            globals::AIO_FILE.to_string(),
            render::globals(&all_globals, facts)?,
        );
        for (path, sections) in &k.config {
            files.insert(format!("config/{path}"), render::ini(sections));
        }
        // The interfaces Kolla reads must exist, with their addresses, first.
        let mut deps = Vec::new();
        let mut addresses = vec![
            facts
                .uplink_address
                .map(|a| a.to_string())
                .unwrap_or_default(),
        ];
        for value in k.globals.values() {
            let Some(iface) = value
                .value
                .as_str()
                .and_then(|s| topology.interfaces.get(s))
            else {
                continue;
            };
            deps.push(ids::link(&iface.name));
            for a in &iface.addresses {
                deps.push(ids::address(&iface.name, &a.value.to_string()));
                addresses.push(format!("{}={}", iface.name, a.value));
            }
        }
        let fingerprint = Fingerprint {
            files: &files,
            inventory: &k.inventory,
            actions: &k.actions,
            addresses: &addresses,
        };
        Ok(Some(Deployment {
            venv: PathBuf::from(&k.venv),
            package: k.package.clone(),
            config_dir: PathBuf::from(&k.config_dir),
            inventory: k.inventory.clone(),
            actions: k.actions.clone(),
            inputs: fingerprint.digest(),
            files,
            deps,
        }))
    }

    pub fn resource(&self) -> Resource {
        let attrs = KollaAttrs {
            package: Some(self.package.clone()),
            files: self
                .files
                .iter()
                .map(|(path, text)| (path.clone(), Some(aio_fs::sha256_hex(text.as_bytes()))))
                .collect(),
            globals_yml: globals::BASE_PRESENT.to_string(),
            passwords: passwords::COMPLETE.to_string(),
            inputs: Some(RunState::Done(self.inputs.clone())),
        };
        let mut r = Resource::new(resource_id(), PROVIDER).with_attrs(attrs.to_attrs());
        r.deps = self.deps.clone();
        r
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    /// An uplink `eth0` at 192.0.2.10 with the VIP 192.0.2.250.
    pub(crate) fn facts() -> Facts {
        Facts {
            uplink: Some("eth0".into()),
            uplink_address: Some(Ipv4Addr::new(192, 0, 2, 10)),
            vip: Some(Ipv4Addr::new(192, 0, 2, 250)),
            ..Facts::default()
        }
    }

    /// A deployment an earlier aio ran is not run again because aio counts
    /// its inputs differently: the fingerprint of the same inputs stays.
    #[test]
    fn the_same_inputs_keep_their_fingerprint_across_releases() {
        let text = r#"
version = 1

[host]
uplink = "eth0"

[interfaces.v-lbaas]
type = "veth"
peer = "v-lbaas-ovs"
addresses = ["172.18.255.1/16"]

[kolla]
package = "kolla-ansible>=20,<21"
venv = "/opt/aio/kolla"
config_dir = "/etc/kolla"
vip = "192.0.2.250"
actions = ["bootstrap-servers", "deploy"]

[kolla.globals]
network_interface = "${uplink}"
octavia_network_interface = "v-lbaas"
enable_octavia = "yes"

[kolla.config."neutron/ml2_conf.ini".ml2_type_flat]
flat_networks = "*"
"#;
        let topology = aio_topology::parse_str("t.toml", text).unwrap();
        let d = Deployment::new(&topology, &facts()).unwrap().unwrap();
        assert_eq!(d.inputs, "bcdeeb73ee0afc61");
    }
}
