//! `aio show` in a sandbox (converged, then a deleted veth and a link set
//! down, as text and JSON, changing nothing) and `aio graph` of the reference
//! topology (its edges, rendered by Graphviz, and the copy in docs/).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{REFERENCE, Sandbox, command, root, s, said, stderr, stdout};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// What aio manages in the sandbox, without the kernel's timers and
/// carrier states: each link's name, kind, flags it was given, master, peer
/// and mtu, the addresses and the routes.
fn configured(sb: &Sandbox) -> Vec<String> {
    let mut out: Vec<String> = sb
        .links()
        .values()
        .map(|l| {
            let up = l["flags"].as_array().unwrap().iter().any(|f| f == "UP");
            format!(
                "link {} kind={} up={up} master={} peer={} mtu={}",
                l["ifname"], l["linkinfo"]["info_kind"], l["master"], l["link"], l["mtu"]
            )
        })
        .collect();
    for dev in sb.links().keys() {
        out.push(format!("addresses {dev} {:?}", sb.addresses(dev)));
    }
    out.push(sb.ip(&["-j", "route", "show"]));
    out
}

/// `aio show`, which must succeed and change nothing in the sandbox.
fn show(sb: &Sandbox, topology: &Path, extra: &[&str]) -> String {
    let before = configured(sb);
    let out = sb.aio("show", topology, extra);
    assert!(out.status.success(), "show failed: {}", said(&out));
    assert_eq!(configured(sb), before, "aio show changed the sandbox");
    stdout(&out)
}

/// Resource id -> status, from `aio show --json`.
fn statuses(sb: &Sandbox, topology: &Path) -> (BTreeMap<String, String>, Value) {
    let doc: Value = serde_json::from_str(&show(sb, topology, &["--json"])).unwrap();
    let by_id = doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (s(&r["id"]), s(&r["status"])))
        .collect();
    (by_id, doc)
}

/// Resource `id` in `aio show --json`.
fn resource<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {doc:#}"))
}

/// The status word of `id`'s line in the text form.
fn status_of<'a>(out: &'a str, id: &str) -> &'a str {
    out.lines()
        .find_map(|l| {
            let mut words = l.split_whitespace();
            let status = words.next()?;
            (words.next() == Some(id)).then_some(status)
        })
        .unwrap_or_else(|| panic!("no line for {id} in:\n{out}"))
}

#[test]
fn show_marks_each_resource_converged_missing_or_drifted() {
    let sb = Sandbox::new();
    let reference = sb.reference();
    sb.apply(&reference);

    let out = show(&sb, &reference, &[]);
    for fact in ["uplink: eth0", "uplink_address: 192.0.2.10", "vip: "] {
        assert!(out.contains(fact), "{fact} missing from:\n{out}");
    }
    let (all, doc) = statuses(&sb, &reference);
    assert_eq!(all.len(), 11, "{all:?}");
    assert!(all.values().all(|st| st == "converged"), "{all:?}");
    assert_eq!(doc["summary"]["converged"], all.len());
    assert_eq!(doc["facts"]["uplink"], "eth0");
    let dummy = resource(&doc, "link/dummy1");
    assert_eq!(dummy["live"]["kind"], "bridge");
    assert_eq!(dummy["live"]["state"], "up");
    assert!(
        out.contains(&format!("\n{} converged\n", all.len())),
        "{out}"
    );
    assert_eq!(status_of(&out, "link/dummy1"), "converged");
    assert!(out.contains("link/dummy1  kind=bridge, state=up"), "{out}");

    // A deleted veth: both its ends are missing, the rest stays converged.
    sb.ip(&["link", "del", "veth-ovs"]);
    let out = show(&sb, &reference, &[]);
    assert_eq!(status_of(&out, "link/veth-ovs"), "missing", "{out}");
    assert_eq!(status_of(&out, "link/veth-br"), "missing", "{out}");
    assert!(
        out.contains(
            "link/veth-br  (wants kind=veth, peer=veth-ovs, master=dummy1, state=up, mtu="
        ),
        "{out}"
    );
    assert_eq!(status_of(&out, "link/dummy1"), "converged", "{out}");

    // A link set down: drifted, naming `state`.
    sb.ip(&["link", "set", "v-lbaas", "down"]);
    let out = show(&sb, &reference, &[]);
    assert_eq!(status_of(&out, "link/v-lbaas"), "drifted", "{out}");
    let at = out.find("link/v-lbaas  ").unwrap();
    let next = out[at..].lines().nth(1).unwrap();
    assert_eq!(next.trim(), "state: down (wants up)", "{out}");

    let (all, doc) = statuses(&sb, &reference);
    let off: BTreeMap<&str, &str> = all
        .iter()
        .filter(|(_, st)| *st != "converged")
        .map(|(id, st)| (id.as_str(), st.as_str()))
        .collect();
    assert_eq!(
        off,
        BTreeMap::from([
            ("link/v-lbaas", "drifted"),
            ("link/veth-br", "missing"),
            ("link/veth-ovs", "missing"),
        ])
    );
    let v_lbaas = resource(&doc, "link/v-lbaas");
    assert_eq!(
        v_lbaas["differences"],
        serde_json::json!([{"attribute": "state", "live": "down", "wanted": "up"}])
    );
    assert_eq!(v_lbaas["live"]["state"], "down");
    assert_eq!(doc["summary"]["missing"], 2);
    assert_eq!(doc["summary"]["drifted"], 1);

    // What show reported is what apply repairs.
    sb.apply(&reference);
    let (all, _) = statuses(&sb, &reference);
    assert!(all.values().all(|st| st == "converged"), "{all:?}");
}

fn graph(file: &str) -> Output {
    command(&["graph", "-f", file])
        .current_dir(root())
        .output()
        .unwrap()
}

/// `dot -Tsvg` of `source`.
fn svg(source: &str) -> String {
    let mut dot = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("Graphviz's dot (apt-get install graphviz)");
    dot.stdin
        .take()
        .unwrap()
        .write_all(source.as_bytes())
        .unwrap();
    let out = dot.wait_with_output().unwrap();
    assert!(out.status.success(), "dot failed: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn graph_of_the_reference_renders_with_its_dependencies() {
    let out = graph(REFERENCE);
    assert!(out.status.success(), "{}", stderr(&out));
    let dot = stdout(&out);
    for edge in [
        "\"link/veth-br\" -> \"link/veth-ovs\";",
        "\"kolla/deployment\" -> \"link/v-lbaas\";",
        "\"ovs-port/br-ex/v-lbaas-vlan\" -> \"kolla/deployment\";",
    ] {
        assert!(dot.contains(edge), "{edge} missing from:\n{dot}");
    }
    for provider in ["netlink", "sysctl", "nat", "kolla", "ovs"] {
        assert!(
            dot.contains(&format!("subgraph \"cluster_{provider}\"")),
            "{dot}"
        );
    }
    // The file alone: the auto uplink stays a placeholder.
    assert!(dot.contains("\"nat/${uplink}/10.0.2.0/24\""), "{dot}");
    let svg = svg(&dot);
    assert!(
        svg.contains("<svg") && svg.contains("kolla/deployment"),
        "{svg}"
    );
}

#[test]
fn docs_hold_the_graph_of_the_reference() {
    let out = graph("examples/openstack-aio.toml");
    assert!(out.status.success(), "{}", stderr(&out));
    let dot = stdout(&out);
    let (dot_path, svg_path) = (root().join("docs/graph.dot"), root().join("docs/graph.svg"));
    if std::env::var_os("AIO_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&dot_path, &dot).unwrap();
        std::fs::write(&svg_path, svg(&dot)).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(&dot_path).unwrap_or_default(),
        dot,
        "docs/graph.dot is not `aio graph -f examples/openstack-aio.toml` (AIO_UPDATE_SNAPSHOTS=1 rewrites it and docs/graph.svg)"
    );
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    // Graphviz writes `-` as `&#45;` in SVG text.
    assert!(
        svg.contains("<svg") && svg.contains("ovs&#45;port/br&#45;ex/v&#45;lbaas&#45;vlan"),
        "{}",
        svg_path.display()
    );
}
