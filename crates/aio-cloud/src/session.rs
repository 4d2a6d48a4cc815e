//! What the provider's calls share: where it signs in, the client once
//! connected, and what the last observation found.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use aio_engine::{ProviderError, Since, Writes};
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
    /// Each time an apply remembered what it made (see [`Inner::settle`]).
    pub remembered: Writes,
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

    /// An apply remembers what it made, for its next steps.
    pub fn remember(&self, update: impl FnOnce(&mut Seen)) {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        self.remembered.wrote();
        update(&mut seen);
    }

    /// Taken before an observation starts, for [`Inner::settle`].
    pub fn since(&self) -> Since {
        self.remembered.since()
    }

    /// What an observation started at `since` found becomes what is seen,
    /// unless an apply remembered what it made meanwhile: two callers can
    /// be at work at once (the two lanes of `aio watch`), and a listing
    /// made before a network was created must not hide it from the step
    /// that makes its subnet.
    pub fn settle(&self, since: Since, found: Seen) {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if !self.remembered.spanned(since) {
            *seen = found;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inner() -> Inner {
        Inner {
            sign: Sign {
                clouds_yaml: PathBuf::from("/nowhere/clouds.yaml"),
                cloud: "kolla-admin".into(),
                netns: None,
            },
            external: None,
            client: Mutex::new(None),
            seen: Mutex::new(Seen::default()),
            remembered: Writes::default(),
        }
    }

    fn user(name: &str) -> Seen {
        Seen {
            users: vec![name.into()],
            ..Seen::default()
        }
    }

    #[test]
    fn an_observation_across_an_apply_does_not_hide_what_the_apply_made() {
        let inner = inner();
        let since = inner.since();
        // Another caller's apply makes something while the listing runs.
        inner.remember(|s| s.users = vec!["made".into()]);
        inner.settle(since, Seen::default());
        assert_eq!(inner.seen().users, ["made"]);
    }

    #[test]
    fn an_observation_after_every_apply_is_what_is_seen() {
        let inner = inner();
        inner.remember(|s| *s = user("made"));
        let since = inner.since();
        inner.settle(since, user("found"));
        assert_eq!(inner.seen().users, ["found"]);
    }
}
