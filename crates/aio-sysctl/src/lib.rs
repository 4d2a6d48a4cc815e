//! The sysctl provider: `[sysctl]` as `sysctl/KEY` resources with one
//! attribute, `value`, read from and written to `/proc/sys/...`.
//!
//! Keys are dotted names checked by `aio-topology` (letters, digits, `_`,
//! `-`), so a path built from one stays under `/proc/sys`. In a network
//! namespace only `net.*` keys are per-namespace; the others belong to the
//! whole machine and are left out of a sandbox's resources ([`resources`]
//! says which).
//!
//! aio does not create sysctls, only sets them, so none is ever recorded as
//! owned or pruned: a key removed from the file keeps its current value.
//!
//! The kernel announces no change of a sysctl: `aio watch` reads the
//! declared keys every second (`follow`).

mod family;
mod follow;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

use aio_engine::{
    Change, Detail, Kind, Observed, Provider, ProviderError, ProviderName, Resource, ResourceId,
    TypedAttrs,
};
use aio_topology::{SysctlValue, Topology};

pub use family::Sysctls;

pub const PROVIDER: ProviderName = ProviderName::new("sysctl");
pub const SYSCTL: Kind = Kind::new("sysctl");

/// `sysctl/KEY`.
pub fn sysctl_id(key: &str) -> ResourceId {
    ResourceId::new(&SYSCTL, key)
}

/// A sysctl's one managed attribute, as the kernel shows it (spaces between values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SysctlAttrs {
    pub value: String,
}

/// The resources for `[sysctl]`, and the keys left out because they are not
/// per network namespace (only when `in_netns`).
pub fn resources(topology: &Topology, in_netns: bool) -> (Vec<Resource>, Vec<String>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for s in &topology.sysctl {
        if in_netns && !s.key.value.starts_with("net.") {
            skipped.push(s.key.value.clone());
            continue;
        }
        let value = match &s.value {
            SysctlValue::Int(i) => i.to_string(),
            SysctlValue::Text(t) => normalize(t),
        };
        out.push(
            Resource::new(sysctl_id(&s.key.value), PROVIDER)
                .with_attrs(SysctlAttrs { value }.to_attrs()),
        );
    }
    (out, skipped)
}

/// The kernel separates multi-value sysctls with tabs; the file with spaces.
fn normalize(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn path(key: &str) -> PathBuf {
    PathBuf::from("/proc/sys").join(key.replace('.', "/"))
}

/// The value of `key`, normalized; `None` if there is no such key (or it
/// cannot be read). In the namespace of the calling thread.
fn read(key: &str) -> Option<String> {
    let text = aio_fs::read_text_bounded(&path(key), aio_fs::Bound::PROC_SYS).ok()?;
    Some(normalize(&text))
}

pub struct SysctlProvider {
    netns: Option<String>,
    /// Named in the plan when a change reaches it through `all` or `default`.
    uplink: Option<String>,
}

impl SysctlProvider {
    /// Reads and writes the sysctls of network namespace `netns` (or the caller's).
    pub fn new(netns: Option<String>) -> Self {
        SysctlProvider {
            netns,
            uplink: None,
        }
    }

    /// Marks in the plan the `all.*`/`default.*` keys that reach `uplink` too.
    pub fn with_uplink(mut self, uplink: Option<String>) -> Self {
        self.uplink = uplink;
        self
    }

    async fn in_netns<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ProviderError> {
        aio_netns::spawn_in(self.netns.clone(), f)
            .await
            .map_err(|e| ProviderError::unreachable(e.to_string()))
    }
}

/// How a key reaches every interface: `all` (now) or `default` (new ones).
fn reaches_every_interface(key: &str) -> Option<&'static str> {
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        ["net", "ipv4" | "ipv6", "conf" | "neigh", "all", ..] => Some("all"),
        ["net", "ipv4" | "ipv6", "conf" | "neigh", "default", ..] => Some("default"),
        _ => None,
    }
}

#[async_trait]
impl Provider for SysctlProvider {
    fn name(&self) -> ProviderName {
        PROVIDER
    }

    /// aio sets sysctls, it never owns them.
    fn adoptable(&self, _wanted: &Resource) -> bool {
        false
    }

    fn describe(&self, change: &Change) -> Option<Detail> {
        let key = change.id.name();
        let uplink = self.uplink.as_deref().unwrap_or("the uplink");
        let value = change.after.as_deref()?.get("value")?;
        let was = change
            .before
            .as_ref()
            .and_then(|b| b.get("value"))
            .map_or("unset".to_string(), |v| v.to_string());
        let text = match reaches_every_interface(key)? {
            "all" => format!(
                "value: {was} -> {value}\nchanges the uplink's behaviour: `all` applies to every interface, {uplink} included"
            ),
            _ => format!(
                "value: {was} -> {value}\n`default` applies to every interface made from now on ({uplink} keeps its own value until it is made again)"
            ),
        };
        Some(Detail::Text(text))
    }

    async fn observe(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
        let keys: Vec<ResourceId> = ids.to_vec();
        // /proc/sys/net shows the namespace of the thread that opens it.
        self.in_netns(move || {
            let mut out = Observed::new();
            for id in keys {
                if let Some(value) = read(id.name()) {
                    out.insert(id, SysctlAttrs { value }.to_attrs());
                }
            }
            out
        })
        .await
    }

    fn check(&self, change: &Change) -> Result<(), ProviderError> {
        match change.before {
            None => Err(ProviderError::refused(format!(
                "there is no sysctl {} ({} does not exist)",
                change.id.name(),
                path(change.id.name()).display()
            ))),
            Some(_) => Ok(()),
        }
    }

    async fn apply(&self, changes: &[&Change]) -> Result<(), ProviderError> {
        let writes: Vec<(String, String)> = changes
            .iter()
            .filter_map(|c| {
                let wanted = SysctlAttrs::from_attrs(c.after.as_deref()?).ok()?;
                Some((c.id.name().to_string(), wanted.value))
            })
            .collect();
        self.in_netns(move || {
            for (key, value) in writes {
                std::fs::write(path(&key), format!("{value}\n")).map_err(|e| {
                    ProviderError::failed(format!("cannot set sysctl {key} = {value}: {e}"))
                })?;
            }
            Ok(())
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_under_proc_sys_and_values_are_normalized() {
        assert_eq!(
            path("net.ipv4.ip_forward"),
            PathBuf::from("/proc/sys/net/ipv4/ip_forward")
        );
        assert_eq!(normalize("4096\t87380  6291456\n"), "4096 87380 6291456");
    }

    #[test]
    fn a_sandbox_leaves_out_keys_that_are_not_per_namespace() {
        let t = aio_topology::parse_str(
            "t.toml",
            "version = 1\n[sysctl]\n\"net.ipv4.ip_forward\" = 1\n\"vm.max_map_count\" = 262144\n",
        )
        .unwrap();
        let (res, skipped) = resources(&t, true);
        assert_eq!(
            res.iter().map(|r| r.id.to_string()).collect::<Vec<_>>(),
            ["sysctl/net.ipv4.ip_forward"]
        );
        assert_eq!(skipped, ["vm.max_map_count"]);
        assert_eq!(resources(&t, false).0.len(), 2);
    }
}
