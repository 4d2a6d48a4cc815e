//! The client: typed requests and their responses, over the session that
//! owns the stream.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde::ser::{SerializeSeq, Serializer};
use serde_json::value::RawValue;
use serde_json::{Value as Json, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::net::{TcpStream, UnixStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::address::Address;
use crate::error::Error;
use crate::ops::Op;
use crate::result::{OpResult, check};
use crate::schema::Schema;
use crate::session::{Message, Shared, start};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub connect_timeout: Duration,
    /// How long a request may wait for its response. A `transact` with a
    /// `wait` operation needs more than that operation's timeout.
    pub request_timeout: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// A connection to one OVSDB server. Requests may run concurrently from
/// several tasks; dropping the client closes the connection.
pub struct Client {
    shared: Arc<Shared>,
    outgoing: mpsc::Sender<Vec<u8>>,
    next_id: AtomicU64,
    options: Options,
    tasks: [JoinHandle<()>; 2],
}

impl Client {
    /// Connects to `address` (`unix:PATH` or `tcp:HOST:PORT`) with default [`Options`].
    pub async fn connect(address: &str) -> Result<Client, Error> {
        Client::connect_with(address.parse()?, Options::default()).await
    }

    /// Connects to `address`; must be called within a tokio runtime, which
    /// runs the connection's tasks.
    pub async fn connect_with(address: Address, options: Options) -> Result<Client, Error> {
        let connecting = async {
            match &address {
                Address::Unix(path) => UnixStream::connect(path).await.map(|s| start(s, &address)),
                Address::Tcp { host, port } => {
                    let stream = TcpStream::connect((host.as_str(), *port)).await?;
                    stream.set_nodelay(true)?;
                    Ok(start(stream, &address))
                }
            }
        };
        let (shared, outgoing, tasks) = tokio::time::timeout(options.connect_timeout, connecting)
            .await
            .map_err(|_| Error::ConnectTimeout {
                address: address.clone(),
                after: options.connect_timeout,
            })?
            .map_err(|source| Error::Connect {
                address: address.clone(),
                source,
            })?;
        Ok(Client {
            shared,
            outgoing,
            next_id: AtomicU64::new(0),
            options,
            tasks,
        })
    }

    pub fn address(&self) -> &Address {
        &self.shared.address
    }

    /// The names of the server's databases.
    pub async fn list_dbs(&self) -> Result<Vec<String>, Error> {
        self.request("list_dbs", &json!([])).await
    }

    pub async fn get_schema(&self, db: &str) -> Result<Schema, Error> {
        let result = self.request("get_schema", &json!([db])).await?;
        Schema::from_json(result).map_err(|e| self.protocol(e.to_string()))
    }

    /// Runs `ops` as one atomic transaction on `db`: all of them, or on
    /// any error none of them (then the error names the failed operation).
    pub async fn transact(&self, db: &str, ops: &[Op]) -> Result<Vec<OpResult>, Error> {
        let response = self.response("transact", &Transact { db, ops }).await?;
        check(&self.shared.address, ops, response.result.as_deref())
    }

    /// Starts monitor `id` on `db` for `requests` (RFC 7047 4.1.5: table ->
    /// {columns, select}); returns the initial rows. Later changes arrive as
    /// `[id, table-updates]` on [`Client::updates`].
    pub async fn monitor(&self, db: &str, id: Json, requests: Json) -> Result<Json, Error> {
        self.request("monitor", &json!([db, id, requests])).await
    }

    /// The `update` notifications of this connection's monitors; the stream
    /// ends when the connection does. A second call takes them over.
    pub fn updates(&self) -> mpsc::UnboundedReceiver<Json> {
        let (sender, receiver) = mpsc::unbounded_channel();
        *self.shared.updates() = Some(sender);
        receiver
    }

    /// Asks the server to echo `params` back: a liveness check.
    pub async fn echo(&self) -> Result<(), Error> {
        let result: Json = self.request("echo", &json!(["aio"])).await?;
        match result == json!(["aio"]) {
            true => Ok(()),
            false => Err(self.protocol(format!("echo came back as {result}"))),
        }
    }

    /// Sends one request and waits for its response's `result`: for methods
    /// without a wrapper here. Notifications (`monitor` updates) are dropped.
    pub async fn call(&self, method: &str, params: Json) -> Result<Json, Error> {
        self.request(method, &params).await
    }

    /// Sends `{"method", "params", "id"}` and waits for the response's
    /// `result`, read straight from its bytes into an `R`.
    async fn request<R: DeserializeOwned>(
        &self,
        method: &str,
        params: &impl Serialize,
    ) -> Result<R, Error> {
        let response = self.response(method, params).await?;
        let result = response.result.as_deref().map_or("null", RawValue::get);
        serde_json::from_str(result)
            .map_err(|e| self.protocol(crate::error::bounded(&format!("{method} result: {e}"))))
    }

    /// Sends `{"method", "params", "id"}`, `params` serialized straight
    /// into the request's bytes, and waits for the response: an error if
    /// its `error` is set, else the response with its `result` as text.
    async fn response(&self, method: &str, params: &impl Serialize) -> Result<Message, Error> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = oneshot::channel();
        {
            let mut pending = self.shared.pending();
            if let Some(reason) = &pending.closed {
                return Err(self.shared.closed(reason));
            }
            pending.waiting.insert(id, sender);
        }
        let request = Request { method, params, id };
        let bytes = match serde_json::to_vec(&request) {
            Ok(bytes) => bytes,
            Err(e) => {
                self.shared.pending().waiting.remove(&id);
                return Err(self.protocol(format!("{method} request: {e}")));
            }
        };
        match self.outgoing.try_send(bytes) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.shared.pending().waiting.remove(&id);
                return Err(self
                    .shared
                    .closed("the server is not reading what aio sends"));
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                self.shared.close("the writer task ended".into());
            }
        }
        let after = self.options.request_timeout;
        let response = match tokio::time::timeout(after, receiver).await {
            Ok(Ok(reply)) => reply?,
            Ok(Err(_)) => return Err(self.shared.closed("the connection task ended")),
            Err(_) => {
                self.shared.pending().waiting.remove(&id);
                return Err(Error::Timeout {
                    address: self.shared.address.clone(),
                    method: method.to_string(),
                    after,
                });
            }
        };
        match response.error {
            Some(error) => {
                let error = serde_json::from_str(error.get()).unwrap_or_default();
                Err(rpc_error(method, error))
            }
            None => Ok(response),
        }
    }

    fn protocol(&self, message: String) -> Error {
        Error::Protocol {
            address: self.shared.address.clone(),
            message,
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

/// A JSON-RPC request as it goes on the wire.
#[derive(Serialize)]
struct Request<'a, P> {
    method: &'a str,
    params: &'a P,
    id: u64,
}

/// `transact`'s parameters: the database's name, then each operation.
struct Transact<'a> {
    db: &'a str,
    ops: &'a [Op],
}

impl Serialize for Transact<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(1 + self.ops.len()))?;
        seq.serialize_element(self.db)?;
        self.ops
            .iter()
            .try_for_each(|op| seq.serialize_element(op))?;
        seq.end()
    }
}

/// The response's `error`: `{"error": tag, "details": text}` from
/// ovsdb-server, or any JSON from others.
fn rpc_error(method: &str, error: Json) -> Error {
    let (tag, details) = match &error {
        Json::String(s) => (s.clone(), None),
        Json::Object(o) => (
            o.get("error")
                .and_then(Json::as_str)
                .map_or_else(|| error.to_string(), str::to_string),
            o.get("details").and_then(Json::as_str).map(str::to_string),
        ),
        other => (other.to_string(), None),
    };
    Error::Rpc {
        method: method.to_string(),
        error: crate::error::bounded(&tag),
        details: details.map(|d| crate::error::bounded(&d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client can be shared, and its requests spawned, across tasks.
    #[allow(dead_code)]
    fn transact_is_send<'a>(client: &'a Client, ops: &'a [Op]) -> impl Send + 'a {
        fn shared<T: Send + Sync>(_: &T) {}
        shared(client);
        client.transact("Open_vSwitch", ops)
    }
}
