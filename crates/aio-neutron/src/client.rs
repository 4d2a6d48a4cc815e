//! The client: a Keystone session and the Neutron calls made with it.

use std::sync::{Mutex, PoisonError};

use serde::de::DeserializeOwned;
use ureq::http::Method;

use crate::clouds::Credentials;
use crate::error::{NeutronError, fault_message};
use crate::keystone::{self, Session};
use crate::stats::Stats;
use crate::transport::{Api, Transport};

/// A Neutron client authenticated as a `clouds.yaml` cloud. Blocking;
/// `Send + Sync`, so a provider can share it behind an `Arc` and call it
/// from `spawn_blocking`. Its `Debug` shows the cloud, the endpoint and
/// the counts, never the password or token.
pub struct Client {
    creds: Credentials,
    transport: Transport,
    session: Mutex<Session>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("cloud", &self.creds.cloud)
            .field("source", &self.creds.source)
            .field("network_endpoint", &self.network_endpoint())
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Authenticates with Keystone and finds Neutron in the catalog. With
    /// `netns`, every connection is made inside that network namespace.
    pub fn connect(creds: Credentials, netns: Option<&str>) -> Result<Client, NeutronError> {
        if !creds.verify {
            tracing::warn!(
                cloud = creds.cloud,
                file = %creds.source.display(),
                "TLS certificates of the cloud's endpoints are not checked (verify: false)"
            );
        }
        let transport = Transport::new(&creds, netns)?;
        let session = keystone::authenticate(&transport, &creds)?;
        Ok(Client {
            creds,
            transport,
            session: Mutex::new(session),
        })
    }

    pub fn credentials(&self) -> &Credentials {
        &self.creds
    }

    /// Neutron's URL from the catalog (without `/v2.0`).
    pub fn network_endpoint(&self) -> String {
        self.session().network_url
    }

    /// The calls made so far and their time.
    pub fn stats(&self) -> Stats {
        self.transport.stats()
    }

    /// Asks Keystone to revoke the client's token (at the end of a run,
    /// so it does not outlive it). A later call authenticates again.
    pub fn revoke_token(&self) -> Result<(), NeutronError> {
        keystone::revoke(&self.transport, &self.creds, &self.session().token)
    }

    fn session(&self) -> Session {
        self.session
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// `method /v2.0{path}` with `body`: the answer's body on success. A
    /// 401 (the token expired or was revoked) authenticates again, once.
    pub(crate) fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Vec<u8>, NeutronError> {
        let mut session = self.session();
        let mut renewed = false;
        loop {
            let url = format!("{}/v2.0{path}", session.network_url);
            let tokens = [("X-Auth-Token", &session.token)];
            let reply = self
                .transport
                .send(Api::Neutron, method.clone(), &url, &tokens, body)?;
            if reply.status == 401 && !renewed {
                session = keystone::authenticate(&self.transport, &self.creds)?;
                *self.session.lock().unwrap_or_else(PoisonError::into_inner) = session.clone();
                renewed = true;
                continue;
            }
            if !(200..300).contains(&reply.status) {
                return Err(NeutronError::Api {
                    method: method.to_string(),
                    url,
                    status: reply.status,
                    message: fault_message(&reply.body),
                });
            }
            return Ok(reply.body);
        }
    }

    /// [`Client::call`], the answer's member `key` read as `T`.
    pub(crate) fn call_for<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        key: &str,
    ) -> Result<T, NeutronError> {
        let answer = self.call(method.clone(), path, body)?;
        let decode_error = |why: String| NeutronError::Decode {
            method: method.to_string(),
            url: format!("{}/v2.0{path}", self.session().network_url),
            why,
        };
        let mut value: serde_json::Value =
            serde_json::from_slice(&answer).map_err(|e| decode_error(e.to_string()))?;
        let member = value
            .get_mut(key)
            .map(serde_json::Value::take)
            .ok_or_else(|| decode_error(format!("no `{key}` in it")))?;
        serde_json::from_value(member).map_err(|e| decode_error(format!("`{key}`: {e}")))
    }
}
