//! The session: JSON-RPC 1.0 over a Unix or TCP stream.
//!
//! Two tasks own the stream. The reader decodes messages, hands each response
//! to the request waiting for its `id`, and answers the server's `echo`
//! requests: ovsdb-server probes idle TCP sessions that way and drops a
//! client that does not answer. The writer sends what requests and echo
//! replies queue. When the stream ends or fails, every waiting request and
//! every later one gets [`Error::Closed`] instead of waiting forever.
//!
//! A hostile peer cannot make the session grow or spin: messages are bounded
//! (see the codec), the writer's queue is bounded and an echo reply that
//! does not fit is dropped (a peer that does not read needs none), and a
//! peer that sends more than [`MAX_ECHOES_PER_SECOND`] echo requests is
//! disconnected, so `watch` backs off instead of answering a flood.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::address::Address;
use crate::codec::Decoder;
use crate::error::Error;

pub(crate) type Reply = Result<Message, Error>;

/// A JSON-RPC 1.0 message, request or response, its payloads left as text
/// until the one waiting for them reads them into its own types.
#[derive(Debug, Deserialize)]
pub(crate) struct Message {
    /// Null for notifications.
    #[serde(default)]
    id: Json,
    /// A string in any request; anything else is a method aio does not know.
    #[serde(default)]
    method: Option<Json>,
    #[serde(default)]
    params: Option<Box<RawValue>>,
    #[serde(default)]
    pub(crate) result: Option<Box<RawValue>>,
    #[serde(default)]
    pub(crate) error: Option<Box<RawValue>>,
}

/// The answer to a server's request.
#[derive(Serialize)]
struct Response<'a> {
    id: &'a Json,
    result: Option<&'a RawValue>,
    error: Option<&'static str>,
}

/// More echo requests than this in one second is a flood, not a probe
/// (ovsdb-server sends one every few seconds).
pub const MAX_ECHOES_PER_SECOND: u32 = 100;
/// Messages waiting for the writer.
const QUEUE: usize = 256;

/// What the tasks and the requests share.
pub(crate) struct Shared {
    pub(crate) address: Address,
    pub(crate) pending: Mutex<Pending>,
    /// Where `update` notifications of monitors go, once someone listens.
    pub(crate) updates: Mutex<Option<mpsc::UnboundedSender<Json>>>,
    /// Tells the writer the connection is over, so the stream is dropped
    /// (and a peer still sending gets an error instead of a full buffer).
    ended: tokio::sync::Notify,
}

#[derive(Default)]
pub(crate) struct Pending {
    pub(crate) waiting: HashMap<u64, oneshot::Sender<Reply>>,
    /// Why the connection ended, once it has.
    pub(crate) closed: Option<String>,
}

impl Shared {
    /// The requests waiting for an answer (a panicked holder cannot poison them).
    pub(crate) fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Where monitor updates go.
    pub(crate) fn updates(&self) -> std::sync::MutexGuard<'_, Option<mpsc::UnboundedSender<Json>>> {
        self.updates
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn closed(&self, reason: &str) -> Error {
        Error::Closed {
            address: self.address.clone(),
            reason: reason.to_string(),
        }
    }

    /// Ends the connection: every waiting request fails with `reason`.
    pub(crate) fn close(&self, reason: String) {
        let mut pending = self.pending();
        for (_, waiter) in pending.waiting.drain() {
            let _ = waiter.send(Err(self.closed(&reason)));
        }
        pending.closed.get_or_insert(reason);
        // Listeners see the end of their stream.
        self.updates().take();
        self.ended.notify_one();
    }

    /// Handles one message from the server.
    fn dispatch(&self, message: Message, outgoing: &mpsc::Sender<Vec<u8>>) {
        if let Some(method) = &message.method {
            // Notifications (`update`, `locked`, ...) have a null id and need no answer.
            if message.id.is_null() {
                if method == "update"
                    && let Some(listener) = self.updates().as_ref()
                {
                    let params = message.params.as_deref().map(RawValue::get);
                    let params = serde_json::from_str(params.unwrap_or("null"));
                    let _ = listener.send(params.unwrap_or_default());
                }
                return;
            }
            let echo = method.as_str() == Some("echo");
            let reply = Response {
                id: &message.id,
                result: message.params.as_deref().filter(|_| echo),
                error: (!echo).then_some("unknown method"),
            };
            // Dropped when the queue is full: a peer that does not read
            // our answers cannot make us keep them.
            if let Ok(bytes) = serde_json::to_vec(&reply) {
                let _ = outgoing.try_send(bytes);
            }
            return;
        }
        // A response. An id with no request waiting is a late answer to one
        // that timed out: not worth dropping the session for.
        let Some(id) = message.id.as_u64() else {
            return;
        };
        if let Some(waiter) = self.pending().waiting.remove(&id) {
            let _ = waiter.send(Ok(message));
        }
    }
}

pub(crate) type Started = (Arc<Shared>, mpsc::Sender<Vec<u8>>, [JoinHandle<()>; 2]);

pub(crate) fn start<S: AsyncRead + AsyncWrite + Send + 'static>(
    stream: S,
    address: &Address,
) -> Started {
    let shared = Arc::new(Shared {
        address: address.clone(),
        pending: Mutex::default(),
        updates: Mutex::default(),
        ended: tokio::sync::Notify::new(),
    });
    let (outgoing, queue) = mpsc::channel(QUEUE);
    let (reader, writer) = tokio::io::split(stream);
    let tasks = [
        tokio::spawn(read(reader, shared.clone(), outgoing.clone())),
        tokio::spawn(write(writer, shared.clone(), queue)),
    ];
    (shared, outgoing, tasks)
}

async fn read(
    mut reader: impl AsyncRead + Unpin,
    shared: Arc<Shared>,
    outgoing: mpsc::Sender<Vec<u8>>,
) {
    let mut decoder = Decoder::new();
    let mut buffer = vec![0; 64 * 1024];
    let mut echoes = EchoMeter::default();
    let reason = loop {
        let n = match reader.read(&mut buffer).await {
            Ok(0) if decoder.is_mid_message() => {
                break "the server closed it in the middle of a message".into();
            }
            Ok(0) => break "the server closed it".to_string(),
            Ok(n) => n,
            Err(e) => break format!("read failed: {e}"),
        };
        let messages = match decoder.decode_as::<Message>(&buffer[..n]) {
            Ok(messages) => messages,
            Err(e) => break format!("the server sent {e}"),
        };
        let flood = messages
            .iter()
            .filter(|m| m.method.as_ref().and_then(Json::as_str) == Some("echo"))
            .any(|_| echoes.one_more());
        if flood {
            break format!(
                "the server sent more than {MAX_ECHOES_PER_SECOND} echo requests in a second"
            );
        }
        messages
            .into_iter()
            .for_each(|m| shared.dispatch(m, &outgoing));
    };
    shared.close(reason);
}

/// Counts echo requests per second.
#[derive(Default)]
struct EchoMeter {
    since: Option<std::time::Instant>,
    count: u32,
}

impl EchoMeter {
    /// Counts one; whether that makes a flood.
    fn one_more(&mut self) -> bool {
        let now = std::time::Instant::now();
        match self.since {
            Some(t) if now.duration_since(t) < std::time::Duration::from_secs(1) => {
                self.count += 1;
            }
            _ => {
                self.since = Some(now);
                self.count = 1;
            }
        }
        self.count > MAX_ECHOES_PER_SECOND
    }
}

async fn write(
    mut writer: impl AsyncWrite + Unpin,
    shared: Arc<Shared>,
    mut queue: mpsc::Receiver<Vec<u8>>,
) {
    loop {
        let bytes = tokio::select! {
            bytes = queue.recv() => bytes,
            () = shared.ended.notified() => return,
        };
        let Some(bytes) = bytes else { return };
        if let Err(e) = writer.write_all(&bytes).await {
            shared.close(format!("write failed: {e}"));
            return;
        }
    }
}
