//! One cloud of a `clouds.yaml`.

use std::path::PathBuf;

use crate::secret::Secret;

/// Which of a service's catalog endpoints to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interface {
    Public,
    Internal,
    Admin,
}

impl Interface {
    /// As the catalog names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Interface::Public => "public",
            Interface::Internal => "internal",
            Interface::Admin => "admin",
        }
    }
}

/// One cloud of a `clouds.yaml`: who to authenticate as, where, and how
/// to trust the endpoints. The password shows in no `Debug`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The file it was read from, for messages.
    pub source: PathBuf,
    /// The cloud's name in it.
    pub cloud: String,
    /// Keystone, as the file says it (`http://vip:5000` or `.../v3`).
    pub auth_url: String,
    pub username: String,
    pub password: Secret,
    pub project_name: String,
    pub user_domain_name: String,
    pub project_domain_name: String,
    /// `None`: the first endpoint of the interface, whatever its region.
    pub region_name: Option<String>,
    pub interface: Interface,
    /// A PEM bundle to trust instead of the Mozilla roots.
    pub cacert: Option<PathBuf>,
    /// `false`: certificates are not checked at all (`verify: false`).
    pub verify: bool,
}

impl Credentials {
    /// Who these credentials are, for messages: user, project, cloud, file.
    pub fn who(&self) -> String {
        format!(
            "user `{}` of project `{}` (cloud `{}` in {})",
            self.username,
            self.project_name,
            self.cloud,
            self.source.display()
        )
    }

    /// Keystone's v3 root: `auth_url`, with `/v3` added unless it ends so.
    pub fn identity_v3(&self) -> String {
        let base = self.auth_url.trim_end_matches('/');
        if base.ends_with("/v3") {
            base.to_string()
        } else {
            format!("{base}/v3")
        }
    }
}
