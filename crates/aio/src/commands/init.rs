//! `aio init`: a commented starter topology for the all-in-one design, with
//! the uplink this host (or `--netns` namespace) has now. Never overwrites.

use std::io::Write as _;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use aio_topology::{Facts, Uplink};

use crate::Failure;

const STARTER: &str = include_str!("starter.toml");

/// Networks the starter topology uses; an uplink subnet overlapping one of
/// them would make the host's own routes ambiguous.
const USED: [(&str, Ipv4Addr, u8); 2] = [
    ("the external network", Ipv4Addr::new(10, 0, 2, 0), 24),
    ("Octavia's network", Ipv4Addr::new(172, 18, 0, 0), 16),
];

pub async fn run(path: &Path, uplink: &str, netns: Option<&str>) -> Result<u8, Failure> {
    if path.exists() {
        return Err(exists(path));
    }
    let wanted = if uplink == "auto" {
        Uplink::Auto
    } else {
        Uplink::Named(uplink.to_string())
    };
    // No default route is not fatal for `auto`: the file says so and `aio plan` will too.
    let found = aio_host::uplink_facts(netns, &wanted).await?;
    tracing::info!(?found, "uplink facts");
    let mut text = starter(&wanted, found.as_ref());
    if let Some(ns) = netns {
        text = rehearsal(&text, ns);
    }
    // First, where editors (Taplo) look for it.
    let schema = installed_schema();
    let text = format!("#:schema {}\n{text}", schema.display());
    // What init writes must validate; a bad --uplink name is caught here.
    let topology = aio_topology::parse_str(path, text.as_str())?;
    if let Some(ns) = netns {
        topology.check_rehearsal(ns, false)?;
    }
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(exists(path)),
        Err(e) => return Err(Failure::Refused(format!("{}: {e}", path.display()))),
    };
    file.write_all(text.as_bytes())
        .map_err(|e| Failure::Refused(format!("{}: {e}", path.display())))?;

    let seen = match &found {
        Some(f) => format!("uplink: {}", describe(f)),
        None => "no IPv4 default route here: set host.uplink to the management NIC".into(),
    };
    outln!("wrote {}; {seen}", path.display());
    for warning in found.as_ref().map(overlaps).unwrap_or_default() {
        let prefix = crate::output::styled(crate::output::NOTE, "warning:");
        errln!("{prefix} {warning}");
    }
    if !schema.is_file() {
        outln!(
            "note: its #:schema line names {}, which is not installed (the aio package puts it there; `aio schema topology` prints it)",
            schema.display()
        );
    }
    let file = if path == Path::new("topology.toml") {
        String::new()
    } else {
        format!(" -f {}", path.display())
    };
    let ns = netns.map(|n| format!(" --netns {n}")).unwrap_or_default();
    outln!("next: edit it, then `aio validate{file}` and, as root, `aio plan{file}{ns}`");
    Ok(0)
}

/// The topology schema as installed beside this binary (`BIN/../share/aio`,
/// which is `/usr/share/aio` for the package's `/usr/bin/aio`), else where
/// the package puts it. Editors with Taplo validate the file against it.
fn installed_schema() -> PathBuf {
    const PACKAGED: &str = "/usr/share/aio/topology.schema.json";
    std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .ok()
        .and_then(|exe| {
            let prefix = exe.parent()?.parent()?;
            Some(prefix.join("share/aio/topology.schema.json"))
        })
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from(PACKAGED))
}

fn exists(path: &Path) -> Failure {
    Failure::Refused(format!(
        "{} already exists; aio init never overwrites a file: move it away, or name another with -f FILE",
        path.display()
    ))
}

/// `eth0 (192.0.2.10/24, gateway 192.0.2.1)`.
fn describe(f: &Facts) -> String {
    let name = f.uplink.as_deref().unwrap_or("?");
    let mut about = Vec::new();
    if let (Some(a), Some(p)) = (f.uplink_address, f.uplink_prefix) {
        about.push(format!("{a}/{p}"));
    }
    if let Some(g) = f.gateway {
        about.push(format!("gateway {g}"));
    }
    if about.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({})", about.join(", "))
    }
}

/// The uplink's IPv4 subnet, e.g. `(192.0.2.0, 24)`.
fn subnet(f: &Facts) -> Option<(Ipv4Addr, u8)> {
    let (addr, prefix) = (f.uplink_address?, f.uplink_prefix?);
    Some((network(addr, prefix), prefix))
}

fn network(addr: Ipv4Addr, prefix: u8) -> Ipv4Addr {
    let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
    Ipv4Addr::from(u32::from(addr) & mask)
}

/// The starter networks the uplink's subnet overlaps, as sentences.
fn overlaps(f: &Facts) -> Vec<String> {
    let Some((net, prefix)) = subnet(f) else {
        return Vec::new();
    };
    USED.iter()
        .filter(|(_, other, len)| {
            let shorter = prefix.min(*len);
            network(net, shorter) == network(*other, shorter)
        })
        .map(|(what, other, len)| {
            format!(
                "the uplink's subnet {net}/{prefix} overlaps {what} {other}/{len}: change that network's addresses in the file"
            )
        })
        .collect()
}

/// The starter made a rehearsal in `netns`: Kolla's files and OVSDB below
/// sandbox paths, no action that reaches the host.
pub fn rehearsal(text: &str, netns: &str) -> String {
    let dir = aio_topology::sandbox_kolla_dir(netns);
    let ovs = format!("/var/lib/aio/netns/{netns}/ovs/db.sock");
    let swaps = [
        (
            "db = \"unix:/run/openvswitch/db.sock\"",
            format!("# A rehearsal: a private ovsdb-server of yours listens here, never the host's.\ndb = \"unix:{ovs}\""),
        ),
        ("venv = \"/opt/aio/kolla\"", format!("venv = \"{dir}/venv\"")),
        (
            "config_dir = \"/etc/kolla\"",
            format!("config_dir = \"{dir}/etc\""),
        ),
        (
            "actions = [\"bootstrap-servers\", \"prechecks\", \"octavia-certificates\", \"deploy\", \"post-deploy\"]",
            "# A rehearsal renders Kolla's files only: its actions would run against\n# the host. On the host: [\"bootstrap-servers\", \"prechecks\",\n# \"octavia-certificates\", \"deploy\", \"post-deploy\"].\nactions = []".to_string(),
        ),
    ];
    let mut out = format!(
        "# A rehearsal topology for `--netns {netns}`: it touches nothing outside\n# that namespace and {dir}.\n{text}"
    );
    for (from, to) in swaps {
        out = out.replace(from, &to);
    }
    out
}

/// The starter topology for `uplink`, with what was `found` about it.
pub fn starter(uplink: &Uplink, found: Option<&Facts>) -> String {
    let value = match uplink {
        Uplink::Auto => "\"auto\"".to_string(),
        Uplink::Named(name) => format!("\"{name}\""),
    };
    let (found_line, vip_line) = match found {
        Some(f) => {
            let vip = match subnet(f) {
                Some((net, prefix)) => format!(
                    "# on {net}/{prefix} ({}'s subnet) and keeps it; or write one of its free addresses.",
                    f.uplink.as_deref().unwrap_or("the uplink")
                ),
                None => {
                    "# on the uplink's subnet and keeps it; or write a free address of it.".into()
                }
            };
            (format!("# Found by aio init: {}.", describe(f)), vip)
        }
        None => (
            "# aio init found no IPv4 default route: write the management NIC's name.".into(),
            "# on the uplink's subnet and keeps it; or write a free address of it.".into(),
        ),
    };
    let overlap: String = found
        .map(overlaps)
        .unwrap_or_default()
        .iter()
        .map(|w| format!("# WARNING: {w}.\n"))
        .collect();
    STARTER
        .replace("@FOUND@", &found_line)
        .replace("@UPLINK@", &value)
        .replace("@VIP@", &vip_line)
        .replace("@OVERLAP@\n", &format!("{overlap}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(addr: [u8; 4], prefix: u8) -> Facts {
        Facts {
            uplink: Some("eth0".into()),
            uplink_address: Some(Ipv4Addr::from(addr)),
            uplink_prefix: Some(prefix),
            gateway: Some(Ipv4Addr::new(192, 0, 2, 1)),
            ..Facts::default()
        }
    }

    #[test]
    fn a_rehearsal_starter_passes_the_rehearsal_rules_and_the_host_one_does_not() {
        let host = starter(&Uplink::Auto, Some(&facts([192, 0, 2, 10], 24)));
        let t = validates(&host);
        assert!(t.check_rehearsal("r", false).is_err());
        let text = rehearsal(&host, "r");
        let t = validates(&text);
        t.check_rehearsal("r", false).unwrap();
        assert!(
            !text.contains("\"/etc/kolla\"") && !text.contains("/run/openvswitch"),
            "{text}"
        );
    }

    fn validates(text: &str) -> aio_topology::Topology {
        aio_topology::parse_str("topology.toml", text.to_string())
            .unwrap_or_else(|d| panic!("{d}\n{text}"))
    }

    #[test]
    fn starter_names_the_uplink_and_its_subnet_and_validates() {
        let text = starter(&Uplink::Auto, Some(&facts([192, 0, 2, 10], 24)));
        assert!(text.contains("# Found by aio init: eth0 (192.0.2.10/24, gateway 192.0.2.1)."));
        assert!(text.contains("on 192.0.2.0/24 (eth0's subnet)"));
        assert!(text.contains("uplink = \"auto\""));
        assert!(!text.contains('@'), "a placeholder is left:\n{text}");
        assert!(!text.contains("WARNING"));
        let t = validates(&text);
        assert_eq!(t.interfaces.len(), 5);
        assert_eq!(
            t.ovs.unwrap().bridges["br-ex"].ports["v-lbaas-vlan"].tag,
            Some(1718)
        );
        assert_eq!(t.kolla.unwrap().vip.value, aio_topology::Vip::Auto);
    }

    #[test]
    fn a_named_uplink_is_written_as_its_value() {
        let text = starter(&Uplink::Named("ens3".into()), None);
        assert!(text.contains("uplink = \"ens3\""));
        assert_eq!(
            validates(&text).host.uplink.value,
            Uplink::Named("ens3".into())
        );
    }

    #[test]
    fn an_uplink_on_a_starter_network_is_a_warning() {
        let text = starter(&Uplink::Auto, Some(&facts([10, 0, 2, 15], 24)));
        assert!(text.contains(
            "# WARNING: the uplink's subnet 10.0.2.0/24 overlaps the external network 10.0.2.0/24"
        ));
        validates(&text);
        assert_eq!(overlaps(&facts([172, 16, 0, 5], 12)).len(), 1);
        assert!(overlaps(&facts([192, 168, 1, 5], 24)).is_empty());
    }
}
