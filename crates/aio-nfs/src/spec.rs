//! What the topology's `[nfs]` wants of the host: each exported directory
//! (owner, group, mode) and its line in aio's drop-in, clients resolved.

use aio_topology::{Facts, MissingFact, NfsExport, Topology};

/// One export, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub path: String,
    /// `root`, a name or a number, as the topology writes it.
    pub owner: String,
    pub group: String,
    pub mode: u32,
    /// The line of `/etc/exports.d/aio.exports`.
    pub line: String,
    /// The clients as exportfs lists them (`192.0.2.10`, `10.0.0.0/24`, `*`).
    pub clients: Vec<String>,
}

/// Every export of `topology`, in file order.
pub fn exports(topology: &Topology, facts: &Facts) -> Result<Vec<Export>, MissingFact> {
    let Some(nfs) = &topology.nfs else {
        return Ok(Vec::new());
    };
    nfs.exports.values().map(|e| export(e, facts)).collect()
}

fn export(e: &NfsExport, facts: &Facts) -> Result<Export, MissingFact> {
    let clients = e
        .clients
        .iter()
        .map(|c| c.value.resolve(facts))
        .collect::<Result<Vec<_>, _>>()?;
    let options: Vec<&str> = e.options.iter().map(|o| o.value.as_str()).collect();
    Ok(Export {
        path: e.path.clone(),
        owner: e.owner.as_ref().map_or("root".into(), |o| o.value.clone()),
        group: e.group.as_ref().map_or("root".into(), |g| g.value.clone()),
        mode: e.mode.value,
        line: line(&e.path, &clients, &options),
        clients,
    })
}

/// `PATH CLIENT(OPTIONS) CLIENT(OPTIONS)...`, as exports(5) reads it; a
/// path with a space or a `"` quoted.
pub fn line(path: &str, clients: &[String], options: &[&str]) -> String {
    let shown_path = if path.contains([' ', '\t', '"']) {
        format!("\"{}\"", path.replace('"', "\\\""))
    } else {
        path.to_string()
    };
    let opts = options.join(",");
    let mut out = shown_path;
    for c in clients {
        out.push(' ');
        out.push_str(c);
        out.push('(');
        out.push_str(&opts);
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_names_each_client_with_the_options() {
        let clients = ["192.0.2.10".to_string(), "10.0.0.0/24".to_string()];
        assert_eq!(
            line("/mnt/nfs", &clients, &["rw", "sync", "no_subtree_check"]),
            "/mnt/nfs 192.0.2.10(rw,sync,no_subtree_check) 10.0.0.0/24(rw,sync,no_subtree_check)"
        );
        assert_eq!(
            line("/srv/a b", &clients[..1], &["ro"]),
            "\"/srv/a b\" 192.0.2.10(ro)"
        );
    }
}
