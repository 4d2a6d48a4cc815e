//! What can go wrong talking to Keystone and Neutron. No variant holds a
//! request body, a header or a value of `clouds.yaml`'s `auth` section but
//! the user and project names: a password or token cannot reach a message.

use std::path::PathBuf;

use crate::clouds::CloudsError;

#[derive(Debug, thiserror::Error)]
pub enum NeutronError {
    #[error(transparent)]
    Clouds(#[from] CloudsError),
    #[error("{}: `cacert` {}: {why}", source_file.display(), path.display())]
    CaCert {
        source_file: PathBuf,
        path: PathBuf,
        why: String,
    },
    #[error("{method} {url}: {why}")]
    Transport {
        method: String,
        url: String,
        why: String,
    },
    /// `who`: the user, project, cloud and file, as
    /// [`Credentials::who`](crate::Credentials::who) says them.
    #[error("Keystone at {url} refused {who}: {status} {message}")]
    AuthRefused {
        url: String,
        who: String,
        status: u16,
        message: String,
    },
    #[error("Keystone at {url} answered {status} but sent no X-Subject-Token")]
    NoToken { url: String, status: u16 },
    #[error(
        "Keystone's catalog has no `network` endpoint for interface `{interface}`{} (it lists: {listed})",
        region.as_ref().map(|r| format!(" in region `{r}`")).unwrap_or_default()
    )]
    NoEndpoint {
        interface: &'static str,
        region: Option<String>,
        listed: String,
    },
    #[error("{method} {url}: Neutron answered {status}: {message}")]
    Api {
        method: String,
        url: String,
        status: u16,
        message: String,
    },
    #[error("{method} {url}: an answer aio cannot read: {why}")]
    Decode {
        method: String,
        url: String,
        why: String,
    },
    #[error(transparent)]
    Netns(#[from] aio_netns::NetnsError),
}

impl NeutronError {
    /// The HTTP status Neutron answered, for an error it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            NeutronError::Api { status, .. } | NeutronError::AuthRefused { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// Whether Neutron said the object does not exist.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
}

/// The most of a fault's message kept in an error.
const MOST_MESSAGE: usize = 500;

/// The message of an OpenStack fault body: Neutron's
/// `{"NeutronError": {"message": ...}}`, Keystone's `{"error": {"message":
/// ...}}`, or the start of whatever else was answered.
pub(crate) fn fault_message(body: &[u8]) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let message = parsed.as_ref().and_then(|v| {
        ["NeutronError", "error"]
            .iter()
            .find_map(|k| v.get(k)?.get("message")?.as_str())
    });
    let text = match message {
        Some(m) => m.to_string(),
        None => String::from_utf8_lossy(body).trim().to_string(),
    };
    let text = if text.is_empty() {
        "(no message)".to_string()
    } else {
        text
    };
    match text.char_indices().nth(MOST_MESSAGE) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}
