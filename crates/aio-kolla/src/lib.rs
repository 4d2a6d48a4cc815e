//! The Kolla-Ansible provider: the whole deployment as one resource,
//! `kolla/deployment`, in the same graph as the links it reads.
//!
//! Its inputs are the files aio renders under the config dir
//! (`globals.d/aio.yml` from `[kolla.globals]`, INI overrides from
//! `[kolla.config]`), the inventory, the actions and the addresses of the
//! interfaces Kolla reads. `globals.yml` stays the operator's (see
//! [`globals`]). A fingerprint of the inputs is recorded in the state dir
//! with the actions that finished; the actions run again only when the
//! fingerprint (or the installed kolla-ansible) changes, or when asked to
//! (`--rerun`), and a failed run resumes at the action that failed. A
//! deployment aio did not make is adopted: its inputs are recorded as done.
//! A venv that already holds a fitting kolla-ansible is used as it is;
//! otherwise it is made with `pip`. `passwords.yml` is filled by the real
//! `kolla-genpwd`; no password is ever shown.

mod actions;
mod adopt;
mod describe;
mod files;
pub mod globals;
mod inventory;
mod keys;
pub mod neutron;
mod passwords;
mod progress;
mod provider;
mod record;
mod render;
mod requirement;
mod run_state;
mod venv;
pub mod vip;
mod work;
mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aio_engine::{ProviderName, Resource, ResourceId, TypedAttrs};
use aio_family::ids;
use aio_topology::{Facts, MissingFact, Topology};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use actions::{PROGRAM_ENV, stand_in};
pub use provider::KollaProvider;
pub use run_state::RunState;
pub use yaml::YamlError;

mod family;

pub use family::{Kolla, deployment};

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

#[derive(Debug, thiserror::Error)]
pub enum KollaError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    File(#[from] aio_fs::FsError),
    #[error("{}: {source}", path.display())]
    Yaml {
        path: PathBuf,
        source: yaml::YamlError,
    },
    #[error("the kolla venv: {0}")]
    Venv(String),
    #[error("kolla-genpwd failed: {0}")]
    Genpwd(String),
    #[error("kolla-ansible {action} failed ({why}); its output is in {}; the next apply resumes at {action}", log.display())]
    Action {
        action: String,
        why: String,
        log: PathBuf,
    },
    #[error(
        "{} is damaged ({why}): aio cannot tell which Kolla actions ran. Restore it, or remove it to run every action again on the next apply",
        path.display()
    )]
    Record { path: PathBuf, why: String },
    #[error("choosing the VIP: {0}")]
    Vip(String),
    #[error("adopting the Kolla deployment in {}: {why}", config_dir.display())]
    Adopt { config_dir: PathBuf, why: String },
}

impl KollaError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> KollaError {
        KollaError::Io {
            path: path.to_path_buf(),
            source,
        }
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
        files.insert(
            globals::AIO_FILE.to_string(),
            render::globals(&k.globals, facts)?,
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
