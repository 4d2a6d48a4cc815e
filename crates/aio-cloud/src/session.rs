//! What the provider's calls share: where it signs in, the client once
//! connected, and what the last observation found.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use aio_engine::ProviderError;
use aio_neutron::{Client, Credentials, Network, Subnet};

use crate::spec::External;

/// Where the provider signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sign {
    pub clouds_yaml: PathBuf,
    pub cloud: String,
    /// The network namespace connections are made in (a rehearsal).
    pub netns: Option<String>,
}

/// What the last observation found, for the checks and the apply after it.
#[derive(Debug, Default, Clone)]
pub(crate) struct Seen {
    pub network: Option<Network>,
    pub subnet: Option<Subnet>,
    /// Who uses the external network, for a person (`floating IP
    /// 10.0.2.150 (ID)`); looked for only when a replace is coming.
    pub users: Vec<String>,
}

pub(crate) struct Inner {
    pub sign: Sign,
    pub external: Option<External>,
    pub(crate) client: Mutex<Option<Arc<Client>>>,
    pub seen: Mutex<Seen>,
}

impl Inner {
    /// The client, connected on first use.
    pub fn client(&self) -> Result<Arc<Client>, ProviderError> {
        let mut slot = self.client.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(client) = slot.as_ref() {
            return Ok(Arc::clone(client));
        }
        let path = &self.sign.clouds_yaml;
        if !path.exists() {
            return Err(ProviderError::unreachable(format!(
                "{} does not exist: Kolla's post-deploy writes it (add \"post-deploy\" to [kolla] actions, \
                 or set [neutron] clouds_yaml)",
                path.display()
            )));
        }
        let creds = Credentials::from_file(path, &self.sign.cloud)
            .map_err(|e| ProviderError::unreachable(e.to_string()))?;
        let client = Client::connect(creds, self.sign.netns.as_deref())
            .map_err(|e| ProviderError::unreachable(e.to_string()))?;
        let client = Arc::new(client);
        *slot = Some(Arc::clone(&client));
        Ok(client)
    }

    pub fn seen(&self) -> Seen {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn remember(&self, update: impl FnOnce(&mut Seen)) {
        update(&mut self.seen.lock().unwrap_or_else(PoisonError::into_inner));
    }
}
