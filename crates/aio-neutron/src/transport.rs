//! One HTTP request at a time on a small blocking client (ureq, rustls),
//! counted, and made inside the caller's network namespace when there is
//! one.
//!
//! ureq opens connections lazily, on the thread that sends; a socket keeps
//! the namespace it was made in. So with a namespace, every request runs
//! on a short thread inside it ([`aio_netns::run_in`]), and a pooled
//! connection (made there) serves the next request wherever it runs.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use ureq::http::{Method, Request};

use crate::clouds::Credentials;
use crate::error::NeutronError;
use crate::secret::Secret;
use crate::stats::Stats;

/// The most of an answer read: a list of every port of a busy cloud.
const MOST_BODY: u64 = 32 * 1024 * 1024;
/// The most a PEM bundle of CAs may weigh.
const MOST_CACERT: u64 = 1024 * 1024;
const CONNECT_LIMIT: Duration = Duration::from_secs(10);
/// Creating a network on a busy all-in-one takes seconds.
const CALL_LIMIT: Duration = Duration::from_secs(120);

/// Which API a request goes to, for [`Stats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    Keystone,
    Neutron,
}

/// What was answered: the status, Keystone's token header, the body.
pub(crate) struct Reply {
    pub status: u16,
    pub subject_token: Option<Secret>,
    pub body: Vec<u8>,
}

pub(crate) struct Transport {
    agent: ureq::Agent,
    netns: Option<String>,
    stats: Mutex<Stats>,
}

impl Transport {
    pub fn new(creds: &Credentials, netns: Option<&str>) -> Result<Transport, NeutronError> {
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(root_certs(creds)?)
            .disable_verification(!creds.verify)
            .build();
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(CONNECT_LIMIT))
            .timeout_global(Some(CALL_LIMIT))
            .user_agent(concat!("aio/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build();
        Ok(Transport {
            agent: config.into(),
            netns: netns.map(str::to_string),
            stats: Mutex::new(Stats::default()),
        })
    }

    pub fn stats(&self) -> Stats {
        *self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends `method url` to `api` with `tokens` as headers (`X-Auth-Token`,
    /// Keystone's `X-Subject-Token`) and `body` as JSON. Any status is a
    /// reply; only no answer is an error.
    pub fn send(
        &self,
        api: Api,
        method: Method,
        url: &str,
        tokens: &[(&'static str, &Secret)],
        body: Option<&serde_json::Value>,
    ) -> Result<Reply, NeutronError> {
        let transport_error = |why: String| NeutronError::Transport {
            method: method.to_string(),
            url: url.to_string(),
            why,
        };
        let mut request = Request::builder()
            .method(method.clone())
            .uri(url)
            .header("Accept", "application/json");
        for (header, token) in tokens {
            request = request.header(*header, token.expose());
        }
        let body = match body {
            Some(value) => {
                request = request.header("Content-Type", "application/json");
                Some(serde_json::to_vec(value).map_err(|e| transport_error(e.to_string()))?)
            }
            None => None,
        };
        let agent = self.agent.clone();
        let exchange = move || -> Result<Reply, String> {
            let response = match body {
                Some(bytes) => request.body(bytes).map(|r| agent.run(r)),
                None => request.body(()).map(|r| agent.run(r)),
            }
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            let subject_token = response
                .headers()
                .get("X-Subject-Token")
                .and_then(|v| v.to_str().ok())
                .map(Secret::new);
            let body = response
                .into_body()
                .with_config()
                .limit(MOST_BODY)
                .read_to_vec()
                .map_err(|e| e.to_string())?;
            Ok(Reply {
                status,
                subject_token,
                body,
            })
        };
        let started = Instant::now();
        let result = match &self.netns {
            Some(ns) => aio_netns::run_in(Some(ns), exchange)?,
            None => exchange(),
        };
        let took = started.elapsed();
        self.stats
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .add(api == Api::Keystone, took);
        let reply = result.map_err(transport_error)?;
        tracing::debug!(%method, url, status = reply.status, ?took, "OpenStack API call");
        Ok(reply)
    }
}

/// The CAs `cacert` names, or the Mozilla roots.
fn root_certs(creds: &Credentials) -> Result<ureq::tls::RootCerts, NeutronError> {
    let Some(path) = &creds.cacert else {
        return Ok(ureq::tls::RootCerts::WebPki);
    };
    let failed = |why: String| NeutronError::CaCert {
        source_file: creds.source.clone(),
        path: path.clone(),
        why,
    };
    let pem = aio_fs::read_bounded(path, aio_fs::Bound::operators(MOST_CACERT))
        .map_err(|e| failed(e.to_string()))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        if let ureq::tls::PemItem::Certificate(cert) = item.map_err(|e| failed(e.to_string()))? {
            certs.push(cert);
        }
    }
    if certs.is_empty() {
        return Err(failed("no PEM certificate in it".into()));
    }
    Ok(ureq::tls::RootCerts::new_with_certs(&certs))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::clouds::Interface;

    fn creds(cacert: Option<&Path>) -> Credentials {
        Credentials {
            source: "/etc/kolla/clouds.yaml".into(),
            cloud: "kolla-admin".into(),
            auth_url: "https://192.0.2.250:5000".into(),
            username: "admin".into(),
            password: Secret::new("not-shown"),
            project_name: "admin".into(),
            user_domain_name: "Default".into(),
            project_domain_name: "Default".into(),
            region_name: None,
            interface: Interface::Public,
            cacert: cacert.map(Path::to_path_buf),
            verify: true,
        }
    }

    #[test]
    fn a_missing_cacert_names_both_files() {
        let missing = Path::new("/nonexistent/root.crt");
        let message = Transport::new(&creds(Some(missing)), None)
            .err()
            .unwrap()
            .to_string();
        assert!(
            message.starts_with("/etc/kolla/clouds.yaml: `cacert` /nonexistent/root.crt"),
            "{message}"
        );
    }

    #[test]
    fn a_cacert_without_certificates_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("root.crt");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let message = Transport::new(&creds(Some(&path)), None)
            .err()
            .unwrap()
            .to_string();
        assert!(message.ends_with("no PEM certificate in it"), "{message}");
    }

    #[test]
    fn no_cacert_and_no_verification_are_accepted() {
        let mut unverified = creds(None);
        unverified.verify = false;
        assert!(Transport::new(&creds(None), None).is_ok());
        assert!(Transport::new(&unverified, None).is_ok());
    }
}
