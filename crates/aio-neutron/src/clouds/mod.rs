//! Credentials from a `clouds.yaml`, as Kolla-Ansible's post-deploy writes
//! it (`<config_dir>/clouds.yaml`, from `roles/common/templates/clouds.yaml.j2`):
//!
//! ```yaml
//! clouds:
//!   kolla-admin:
//!     auth:
//!       auth_url: http://192.0.2.250:5000
//!       project_domain_name: Default
//!       user_domain_name: Default
//!       project_name: admin
//!       username: admin
//!       password: ...
//!     region_name: RegionOne
//!     cacert: /etc/kolla/certificates/ca/root.crt   # when Kolla's TLS is on
//! ```
//!
//! Besides Kolla's keys, `interface` (`public` by default, as the
//! OpenStack SDK; Kolla's `-internal` clouds say `internal`) and `verify`
//! (`false` turns certificate checks off, which [`Credentials::verify`]
//! lets the caller say) are read. The file is read bounded
//! ([`MOST_BYTES`]); YAML aliases are refused (Kolla writes none, and
//! yaml-rust2 would copy what each names); every error names the file and
//! the key, never a value of the `auth` section.

mod credentials;
mod error;
mod parse;

use std::path::Path;

pub use credentials::{Credentials, Interface};
pub use error::CloudsError;

/// The cloud Kolla's post-deploy names for the admin, on the public
/// endpoints.
pub const DEFAULT_CLOUD: &str = "kolla-admin";
/// The largest `clouds.yaml` read: Kolla's is a few hundred bytes.
pub const MOST_BYTES: u64 = 1024 * 1024;

impl Credentials {
    /// Cloud `cloud` of `<config_dir>/clouds.yaml`, where Kolla's
    /// post-deploy writes it (`/etc/kolla` by default).
    pub fn from_config_dir(config_dir: &Path, cloud: &str) -> Result<Credentials, CloudsError> {
        Credentials::from_file(&config_dir.join("clouds.yaml"), cloud)
    }

    /// Cloud `cloud` of the `clouds.yaml` at `path`.
    pub fn from_file(path: &Path, cloud: &str) -> Result<Credentials, CloudsError> {
        let bound = aio_fs::Bound::operators(MOST_BYTES);
        let text = aio_fs::read_text_bounded(path, bound)?;
        parse::credentials(&text, path, cloud)
    }
}

#[cfg(test)]
mod tests;
