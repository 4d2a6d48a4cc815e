//! The deployment as one resource: what it is made from for one topology
//! and its facts, and what the engine compares.

use std::collections::BTreeMap;
use std::path::PathBuf;

use aio_engine::{ProviderName, Resource, ResourceId, TypedAttrs};
use aio_family::ids;
use aio_topology::{Facts, MissingFact, Topology};
use serde::{Deserialize, Serialize};
use serde_json::json;

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
        let fingerprint = json!({"files": files, "inventory": k.inventory, "actions": k.actions, "addresses": addresses});
        Ok(Some(Deployment {
            venv: PathBuf::from(&k.venv),
            package: k.package.clone(),
            config_dir: PathBuf::from(&k.config_dir),
            inventory: k.inventory.clone(),
            actions: k.actions.clone(),
            inputs: aio_fs::sha256_hex(fingerprint.to_string().as_bytes())[..16].to_string(),
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
