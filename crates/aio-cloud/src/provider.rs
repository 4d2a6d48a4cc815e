//! The `neutron` provider: observes and changes the cloud side through
//! Neutron's API, signed in as a `clouds.yaml` cloud.
//!
//! The client is blocking (see `aio-neutron`); each call of the engine
//! runs it on tokio's blocking pool. It connects once, on the first
//! observation, and is kept for the apply that follows.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;

use aio_engine::{Change, Observed, Provider, ProviderError, ProviderName, Resource};
use aio_neutron::Stats;

use crate::PROVIDER;
use crate::session::{Inner, Seen, Sign};
use crate::spec::External;

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
                remembered: Default::default(),
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

#[async_trait]
impl Provider for CloudProvider {
    fn name(&self) -> ProviderName {
        PROVIDER
    }

    async fn observe(&self, ids: &[aio_engine::ResourceId]) -> Result<Observed, ProviderError> {
        let ids = ids.to_vec();
        let before = self.stats();
        let observed = self
            .blocking(move |inner| crate::observe::observe(inner, &ids))
            .await;
        let cost = self.stats().since(before);
        tracing::debug!(
            calls = cost.calls,
            keystone = cost.keystone_calls,
            ms = cost.time.as_millis() as u64,
            "the cloud side observed"
        );
        observed
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
