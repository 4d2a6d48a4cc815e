//! `aio graph`: the dependency graph of the topology's resources as
//! Graphviz DOT, one cluster per provider, an edge from each resource to
//! each one it depends on. Reads the file only: what the live system would
//! tell (an `auto` uplink, an `auto` VIP) stays a placeholder such as
//! `${uplink}`, so it runs anywhere, without root.

use std::fmt::Write as _;
use std::path::Path;

use aio_engine::{ProviderName, Resource, ResourceId};

use crate::Failure;

pub fn run(path: &Path) -> Result<u8, Failure> {
    let topology = aio_topology::load(path)?;
    let resources = aio_host::registry::wanted_from_file(&topology)?;
    out!("{}", dot(&resources, &path.display().to_string()));
    Ok(0)
}

/// `resources` as a DOT digraph named after `source`: a cluster per
/// provider in the order they first appear, nodes in the resources' order,
/// then the edges; a dependency outside the set is a dashed node of its own.
pub fn dot(resources: &[Resource], source: &str) -> String {
    let mut clusters: Vec<(&ProviderName, Vec<&ResourceId>)> = Vec::new();
    for r in resources {
        match clusters.iter_mut().find(|(p, _)| **p == r.provider) {
            Some((_, ids)) => ids.push(&r.id),
            None => clusters.push((&r.provider, vec![&r.id])),
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "// aio graph of {source}");
    out.push_str(
        "// An edge goes from a resource to one it depends on; `aio apply` makes it after.\n",
    );
    out.push_str("digraph aio {\n");
    out.push_str("  rankdir=RL;\n");
    out.push_str("  newrank=true;\n");
    out.push_str("  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n");
    out.push_str("  edge [arrowsize=0.7];\n");
    for (provider, ids) in &clusters {
        let _ = writeln!(
            out,
            "\n  subgraph {} {{",
            quote(&format!("cluster_{provider}"))
        );
        let _ = writeln!(out, "    label={};", quote(provider.as_str()));
        out.push_str("    style=dashed;\n    fontname=\"Helvetica\";\n");
        for id in ids {
            let _ = writeln!(out, "    {};", quote(&id.to_string()));
        }
        out.push_str("  }\n");
    }
    let known = |id: &ResourceId| resources.iter().any(|r| r.id == *id);
    let mut outside: Vec<&ResourceId> = Vec::new();
    for d in resources.iter().flat_map(|r| &r.deps) {
        if !known(d) && !outside.contains(&d) {
            outside.push(d);
        }
    }
    if !outside.is_empty() {
        out.push('\n');
    }
    for id in outside {
        let _ = writeln!(
            out,
            "  {} [style=\"rounded,dashed\"];",
            quote(&id.to_string())
        );
    }
    out.push('\n');
    for r in resources {
        for d in &r.deps {
            let _ = writeln!(
                out,
                "  {} -> {};",
                quote(&r.id.to_string()),
                quote(&d.to_string())
            );
        }
    }
    out.push_str("}\n");
    out
}

/// A DOT double-quoted string.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(id: &str, provider: &'static str, deps: &[&str]) -> Resource {
        deps.iter().fold(
            Resource::new(ResourceId::parse(id).unwrap(), provider),
            |r, d| r.after(ResourceId::parse(d).unwrap()),
        )
    }

    #[test]
    fn clusters_by_provider_and_edges_to_dependencies() {
        let text = dot(
            &[
                resource("link/a", "netlink", &[]),
                resource("link/b", "netlink", &["link/a"]),
                resource("port/p", "ovs", &["link/b", "bridge/\"x\""]),
            ],
            "t.toml",
        );
        assert!(text.contains("subgraph \"cluster_netlink\" {\n    label=\"netlink\";"));
        assert!(text.contains("subgraph \"cluster_ovs\""));
        assert!(text.contains("  \"link/b\" -> \"link/a\";\n"));
        assert!(text.contains("  \"port/p\" -> \"link/b\";\n"));
        assert!(text.contains("  \"bridge/\\\"x\\\"\" [style=\"rounded,dashed\"];"));
        assert_eq!(text.matches(" -> ").count(), 3);
    }

    #[test]
    fn the_reference_needs_no_live_facts() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/openstack-aio.toml"
        );
        let topology = aio_topology::load(Path::new(path)).unwrap();
        let ids: Vec<String> = aio_host::registry::wanted_from_file(&topology)
            .unwrap()
            .into_iter()
            .map(|r| r.id.to_string())
            .collect();
        assert!(
            ids.contains(&"nat/${uplink}/10.0.2.0/24".to_string()),
            "{ids:?}"
        );
        assert!(ids.contains(&"kolla/deployment".to_string()));
    }
}
