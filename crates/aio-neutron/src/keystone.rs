//! Keystone v3 password authentication, scoped to the project, and the
//! network endpoint from the catalog that comes with the token.

use serde::Deserialize;
use serde_json::json;
use ureq::http::Method;

use crate::clouds::Credentials;
use crate::error::NeutronError;
use crate::secret::Secret;
use crate::transport::{Api, Transport};

/// A token and where Neutron answers for it.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub token: Secret,
    /// The catalog's URL, without a trailing `/` or `/v2.0`.
    pub network_url: String,
}

#[derive(Deserialize)]
struct TokenBody {
    token: Token,
}

#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    catalog: Vec<Service>,
}

#[derive(Deserialize)]
struct Service {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    endpoints: Vec<Endpoint>,
}

#[derive(Deserialize)]
struct Endpoint {
    interface: String,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    region_id: Option<String>,
    url: String,
}

/// `POST /v3/auth/tokens` with the password method: the token Keystone
/// puts in `X-Subject-Token`, and the network endpoint of the catalog for
/// the credentials' interface and region.
pub(crate) fn authenticate(
    transport: &Transport,
    creds: &Credentials,
) -> Result<Session, NeutronError> {
    let url = format!("{}/auth/tokens", creds.identity_v3());
    let body = json!({
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": creds.username,
                        "domain": { "name": creds.user_domain_name },
                        "password": creds.password.expose(),
                    }
                }
            },
            "scope": {
                "project": {
                    "name": creds.project_name,
                    "domain": { "name": creds.project_domain_name },
                }
            }
        }
    });
    let reply = transport.send(Api::Keystone, Method::POST, &url, &[], Some(&body))?;
    if !(200..300).contains(&reply.status) {
        return Err(NeutronError::AuthRefused {
            url,
            who: creds.who(),
            status: reply.status,
            message: crate::error::fault_message(&reply.body),
        });
    }
    let Some(token) = reply.subject_token else {
        return Err(NeutronError::NoToken {
            url,
            status: reply.status,
        });
    };
    let parsed: TokenBody =
        serde_json::from_slice(&reply.body).map_err(|e| NeutronError::Decode {
            method: Method::POST.to_string(),
            url,
            why: e.to_string(),
        })?;
    let network_url = network_endpoint(&parsed.token.catalog, creds)?;
    Ok(Session { token, network_url })
}

fn network_endpoint(catalog: &[Service], creds: &Credentials) -> Result<String, NeutronError> {
    let interface = creds.interface.as_str();
    let region = creds.region_name.as_deref();
    let networks = catalog.iter().filter(|s| s.kind == "network");
    let endpoints: Vec<&Endpoint> = networks.flat_map(|s| &s.endpoints).collect();
    let in_region = |e: &&&Endpoint| {
        region.is_none_or(|r| e.region.as_deref() == Some(r) || e.region_id.as_deref() == Some(r))
    };
    let found = endpoints
        .iter()
        .filter(in_region)
        .find(|e| e.interface == interface);
    let Some(endpoint) = found else {
        let listed: Vec<String> = endpoints
            .iter()
            .map(|e| {
                format!(
                    "{} in {}",
                    e.interface,
                    e.region.as_deref().unwrap_or("no region")
                )
            })
            .collect();
        return Err(NeutronError::NoEndpoint {
            interface,
            region: creds.region_name.clone(),
            listed: if listed.is_empty() {
                "no network endpoint".into()
            } else {
                listed.join(", ")
            },
        });
    };
    let url = endpoint.url.trim_end_matches('/');
    Ok(url.strip_suffix("/v2.0").unwrap_or(url).to_string())
}

/// `DELETE /v3/auth/tokens`: Keystone revokes `token`. A token a service
/// validated already may still work there until its cache forgets it.
pub(crate) fn revoke(
    transport: &Transport,
    creds: &Credentials,
    token: &Secret,
) -> Result<(), NeutronError> {
    let url = format!("{}/auth/tokens", creds.identity_v3());
    let tokens = [("X-Auth-Token", token), ("X-Subject-Token", token)];
    let reply = transport.send(Api::Keystone, Method::DELETE, &url, &tokens, None)?;
    if (200..300).contains(&reply.status) {
        return Ok(());
    }
    Err(NeutronError::AuthRefused {
        url,
        who: creds.who(),
        status: reply.status,
        message: crate::error::fault_message(&reply.body),
    })
}
