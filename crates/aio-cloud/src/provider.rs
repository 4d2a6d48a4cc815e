//! The `neutron` provider: observes and changes the cloud side through
//! Neutron's API, signed in as a `clouds.yaml` cloud.
//!
//! The client is blocking (see `aio-neutron`); each call of the engine
//! runs it on tokio's blocking pool. It connects once, on the first
//! observation, and is kept for the apply that follows.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;

use aio_engine::{Change, Observed, Provider, ProviderError, ProviderName, Resource};
use aio_neutron::{Client, Credentials, Network, Stats, Subnet};

use crate::PROVIDER;
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
    client: Mutex<Option<Arc<Client>>>,
    pub seen: Mutex<Seen>,
}

/// The `neutron` provider.
pub struct CloudProvider {
    inner: Arc<Inner>,
}

impl CloudProvider {
    pub fn new(sign: Sign, external: Option<External>) -> Self {
        CloudProvider {
            inner: Arc::new(Inner {
                sign,
                external,
                client: Mutex::new(None),
                seen: Mutex::new(Seen::default()),
            }),
        }
    }

    /// The API calls made so far and their time (none before the first
    /// observation).
    pub fn stats(&self) -> Stats {
        self.inner
            .client
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|c| c.stats())
            .unwrap_or_default()
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Inner) -> Result<T, ProviderError> + Send + 'static,
    ) -> Result<T, ProviderError> {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || work(&inner))
            .await
            .map_err(|e| ProviderError::failed(format!("the Neutron call stopped: {e}")))?
    }
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

#[async_trait]
impl Provider for CloudProvider {
    fn name(&self) -> ProviderName {
        PROVIDER
    }

    async fn observe(&self, ids: &[aio_engine::ResourceId]) -> Result<Observed, ProviderError> {
        let ids = ids.to_vec();
        self.blocking(move |inner| crate::observe::observe(inner, &ids))
            .await
    }

    /// A replace deletes what uses the network with it (Neutron deletes an
    /// external network's floating IPs without asking): refused while
    /// anything does.
    fn check(&self, change: &Change) -> Result<(), ProviderError> {
        crate::users::check(change, &self.inner.seen())
    }

    fn describe(&self, change: &Change) -> Option<aio_engine::Detail> {
        crate::users::describe(change, &self.inner.seen())
    }

    /// Only the external network and its subnet: Octavia's network is
    /// checked, never taken.
    fn adoptable(&self, wanted: &Resource) -> bool {
        !wanted.checked
    }

    fn keeps_identity(&self) -> bool {
        true
    }

    async fn apply(&self, changes: &[&Change]) -> Result<(), ProviderError> {
        let changes: Vec<Change> = changes.iter().map(|c| (*c).clone()).collect();
        self.blocking(move |inner| {
            let mut applied = Vec::new();
            for change in &changes {
                crate::apply::one(inner, change).map_err(|e| e.with_applied(applied.clone()))?;
                applied.push(change.id.clone());
            }
            Ok(())
        })
        .await
    }
}
