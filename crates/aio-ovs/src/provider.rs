//! [`OvsProvider`]: the engine's view of OVS bridges and ports.

use async_trait::async_trait;
use std::sync::{Arc, Mutex};

use aio_engine::{
    Action, AttrValue, Change, Identity, Observed, Provider, ProviderError, ProviderName,
    ResourceId, TypedAttrs,
};
use aio_ovsdb::{Address, Client};

use crate::id::{OvsId, PortAttrs, bridge_id};
use crate::resources::PROVIDER;
use crate::snapshot::{COLUMNS, DB, Snapshot};
use crate::transaction;

pub struct OvsProvider {
    address: Address,
    client: tokio::sync::Mutex<Option<Arc<Client>>>,
    /// What the last observe saw: what apply's guards hold the database to.
    last: Mutex<Snapshot>,
}

impl OvsProvider {
    /// Talks to the OVSDB server at `address`, connecting on first use.
    pub fn new(address: Address) -> Self {
        OvsProvider {
            address,
            client: tokio::sync::Mutex::new(None),
            last: Mutex::new(Snapshot::default()),
        }
    }

    async fn client(&self) -> Result<Arc<Client>, ProviderError> {
        let mut slot = self.client.lock().await;
        if let Some(client) = slot.as_ref() {
            return Ok(client.clone());
        }
        let address = self.address.clone();
        let client = Client::connect_with(address, crate::OPTIONS)
            .await
            .map_err(ovsdb_failure)?;
        let schema = client.get_schema(DB).await.map_err(ovsdb_failure)?;
        for (table, column) in COLUMNS {
            schema.require(table, column).map_err(|e| {
                ProviderError::unreachable(format!("OVSDB at {}: {e}", self.address))
            })?;
        }
        let client = Arc::new(client);
        *slot = Some(client.clone());
        Ok(client)
    }
}

/// An OVSDB client's failure as a provider's, by what went wrong: a server
/// that did not answer in time, one aio cannot reach, or one that said no.
fn ovsdb_failure(e: aio_ovsdb::Error) -> ProviderError {
    use aio_ovsdb::Error;
    let message = e.to_string();
    match e {
        Error::ConnectTimeout { .. } | Error::Timeout { .. } => ProviderError::timeout(message),
        Error::Address(_)
        | Error::Connect { .. }
        | Error::Closed { .. }
        | Error::Protocol { .. } => ProviderError::unreachable(message),
        _ => ProviderError::failed(message),
    }
}

/// A change whose row is no longer as its plan saw it.
fn changed_since_the_plan(address: &Address, id: &ResourceId) -> ProviderError {
    ProviderError::conflict(format!(
        "{id} changed in OVSDB at {address} since the plan was made; nothing was changed: run aio plan again"
    ))
}

fn bridge_of(change: &Change) -> Option<String> {
    PortAttrs::from_attrs(change.after.as_deref()?)
        .ok()
        .map(|p| p.bridge)
}

#[async_trait]
impl Provider for OvsProvider {
    fn name(&self) -> ProviderName {
        PROVIDER
    }

    async fn observe(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
        let client = self.client().await?;
        let snapshot = match Snapshot::take(&client).await {
            Ok(s) => s,
            Err(e) => {
                // A server that went away may come back: connect afresh next time.
                *self.client.lock().await = None;
                return Err(ovsdb_failure(e));
            }
        };
        let mut out = Observed::new();
        for id in ids {
            // A row is its `_uuid`: a row of the same name made again gets a new one.
            let live = OvsId::of(id).and_then(|ovs| snapshot.live(&ovs));
            if let Some((attrs, uuid)) = live {
                out.insert_identified(id.clone(), attrs, Identity(uuid.to_string()));
            }
        }
        *self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = snapshot;
        Ok(out)
    }

    fn waiting(&self, change: &Change) -> Option<String> {
        let bridge = bridge_of(change)?;
        let known = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .bridges
            .contains_key(&bridge);
        let made_here = change.deps.contains(&bridge_id(&bridge));
        (!known && !made_here).then(|| {
            format!("bridge {bridge} does not exist yet (the resource that provides it creates it)")
        })
    }

    fn check(&self, change: &Change) -> Result<(), ProviderError> {
        let removes = matches!(change.action, Action::Delete | Action::Replace);
        let owner = change
            .before
            .as_ref()
            .and_then(|b| b.get("owner"))
            .and_then(AttrValue::as_str);
        if removes && owner != Some(crate::OWNER) {
            return Err(ProviderError::refused(format!(
                "{} has no external_ids:{}={}: aio did not create it, so it will not delete it",
                change.id,
                crate::OWNER_KEY,
                crate::OWNER
            )));
        }
        if let (true, Some(OvsId::Bridge(bridge))) = (removes, OvsId::of(&change.id)) {
            let snapshot = self
                .last
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let theirs = snapshot.foreign_ports(&bridge);
            if !theirs.is_empty() {
                return Err(ProviderError::refused(format!(
                    "{} holds ports aio did not make ({}): deleting the bridge would delete them. \
                     Move or delete them first, or keep the bridge in the topology",
                    change.id,
                    theirs.join(", ")
                )));
            }
        }
        Ok(())
    }

    fn atomic(&self) -> bool {
        true
    }

    /// An update changes the row in place: its UUID stays.
    fn keeps_identity(&self) -> bool {
        true
    }

    async fn apply(&self, changes: &[&Change]) -> Result<(), ProviderError> {
        let client = self.client().await?;
        let ops = {
            let snapshot = self
                .last
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // The guards hold the database to the last observation: another
            // caller's (the other lane of `aio watch`) may have come after
            // this plan's, and must show what the plan saw.
            if let Some(c) = changes.iter().find(|c| !snapshot.as_planned(c)) {
                return Err(changed_since_the_plan(&self.address, &c.id));
            }
            transaction::build(changes, &snapshot)
        };
        for c in changes {
            tracing::info!("ovs: {} {}", c.action.symbol(), c.id);
        }
        tracing::debug!(
            db = %self.address,
            operations = ops.len(),
            "OVSDB transact: {}",
            serde_json::Value::Array(ops.iter().map(aio_ovsdb::Op::to_json).collect())
        );
        match client.transact(DB, &ops).await {
            Ok(_) => Ok(()),
            Err(aio_ovsdb::Error::Operation { op: "wait", .. }) => {
                Err(ProviderError::conflict(format!(
                    "OVSDB at {} changed since the plan was made; nothing was changed: run aio plan again",
                    self.address
                )))
            }
            Err(e) => Err(ovsdb_failure(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aio_engine::ErrorKind;
    use std::time::Duration;

    #[test]
    fn an_ovsdb_failure_keeps_its_words_and_says_its_kind() {
        let address: Address = "unix:/nowhere".parse().unwrap();
        let cases = [
            (
                aio_ovsdb::Error::Timeout {
                    address: address.clone(),
                    method: "transact".into(),
                    after: Duration::from_secs(5),
                },
                ErrorKind::Timeout,
            ),
            (
                aio_ovsdb::Error::Closed {
                    address,
                    reason: "EOF".into(),
                },
                ErrorKind::Unreachable,
            ),
            (
                aio_ovsdb::Error::Commit {
                    error: "referential integrity violation".into(),
                    details: None,
                },
                ErrorKind::Failed,
            ),
        ];
        for (error, kind) in cases {
            let words = error.to_string();
            let failure = ovsdb_failure(error);
            assert_eq!(failure.kind(), kind, "{words}");
            assert_eq!(failure.to_string(), words);
        }
    }
}
