//! Cinder's NFS backend from `[nfs]`: the one source of truth is the
//! export. Its path and the server's address become Kolla's `nfs_shares`
//! (`<config_dir>/config/nfs_shares`, one `HOST:PATH` per line, as Kolla's
//! cinder role reads it), and Kolla's switches `enable_cinder` and
//! `enable_cinder_backend_nfs` are set to `yes` in `globals.d/aio.yml`.

use aio_topology::{Facts, Located, MissingFact, Topology};
use indexmap::IndexMap;

/// Where Kolla's cinder role reads the NFS shares, under the config dir.
pub const NFS_SHARES: &str = "config/nfs_shares";
/// The switches aio sets for Cinder's NFS backend.
pub const SWITCHES: [&str; 2] = ["enable_cinder", "enable_cinder_backend_nfs"];

/// The export Cinder mounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub address: String,
    pub path: String,
    /// Where the topology names it (`cinder_share`).
    pub span: aio_topology::Span,
}

/// `[nfs] cinder_share`, resolved; `None` when there is none.
pub fn share(topology: &Topology, facts: &Facts) -> Result<Option<Share>, MissingFact> {
    let Some(nfs) = &topology.nfs else {
        return Ok(None);
    };
    let Some(path) = &nfs.cinder_share else {
        return Ok(None);
    };
    Ok(Some(Share {
        address: nfs.address.value.resolve(facts)?,
        path: path.value.clone(),
        span: path.span.clone(),
    }))
}

impl Share {
    /// `nfs_shares`' text.
    pub fn nfs_shares(&self) -> String {
        format!("{}:{}\n", self.address, self.path)
    }

    /// Kolla's switches on, where the topology's globals do not set them
    /// (`validate` refuses any other value there).
    pub fn switch_on(&self, globals: &mut IndexMap<String, Located<toml::Value>>) {
        for key in SWITCHES {
            globals.entry(key.to_string()).or_insert_with(|| Located {
                value: toml::Value::String("yes".into()),
                span: self.span.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Deployment;

    use super::*;

    #[test]
    fn the_export_is_the_one_source_of_nfs_shares_and_the_switches() {
        // The reference exports Cinder's share; without its [nfs], nothing.
        let reference = include_str!("../../../examples/openstack-aio.toml");
        let cut = reference.find("\n[nfs]").expect("the reference has [nfs]");
        let topology = aio_topology::parse_str("t.toml", reference).unwrap();
        let facts = crate::deployment::tests::facts();
        let d = Deployment::new(&topology, &facts).unwrap().unwrap();
        assert_eq!(d.files[NFS_SHARES], "192.0.2.10:/mnt/nfs\n");
        let globals = &d.files[crate::globals::AIO_FILE];
        for key in SWITCHES {
            assert!(
                globals.contains(&format!("{key}: \"yes\"")),
                "{key} in:\n{globals}"
            );
        }
        let without = aio_topology::parse_str("t.toml", &reference[..cut]).unwrap();
        let plain = Deployment::new(&without, &facts).unwrap().unwrap();
        assert!(!plain.files.contains_key(NFS_SHARES));
        assert_ne!(
            plain.inputs, d.inputs,
            "a new share is a new input: Kolla runs again"
        );
    }
}
