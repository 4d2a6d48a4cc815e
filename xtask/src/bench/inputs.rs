//! What each tool is given for N triples, the same objects for all: bridge
//! `bI` (up, address 10.(I/256).(I%256).1/24), veth pair `vI`/`pI` (both up),
//! `pI` enslaved to `bI`; and for OVS, bridge `br0` with N internal ports.

use std::fmt::Write;

/// The uplink every bench namespace has (aio never touches it).
pub const UPLINK: &str = "up0";

fn address(i: usize) -> String {
    format!("10.{}.{}.1/24", i / 256, i % 256)
}

/// How many triples the drift touches: 1% of N, at least one.
pub fn drifted(n: usize) -> usize {
    (n / 100).max(1)
}

/// `ip -batch` lines that give a fresh namespace its uplink and default route.
pub fn base() -> String {
    format!(
        "link set lo up\n\
         link add {UPLINK} type veth peer name upx\n\
         addr add 192.0.2.10/24 dev {UPLINK}\n\
         link set upx up\n\
         link set {UPLINK} up\n\
         route add default via 192.0.2.1\n"
    )
}

/// The topology aio applies.
pub fn topology(n: usize) -> String {
    let mut t = format!("version = 1\n\n[host]\nuplink = \"{UPLINK}\"\n");
    for i in 0..n {
        let _ = write!(
            t,
            "\n[interfaces.b{i}]\ntype = \"bridge\"\naddresses = [\"{}\"]\n\
             \n[interfaces.v{i}]\ntype = \"veth\"\npeer = \"p{i}\"\n\
             \n[interfaces.p{i}]\nmaster = \"b{i}\"\n",
            address(i)
        );
    }
    t
}

/// The same creations as `ip -batch` lines, the fewest requests `ip` needs.
pub fn creations(n: usize) -> String {
    let mut t = String::new();
    for i in 0..n {
        let _ = write!(
            t,
            "link add b{i} up type bridge\n\
             link add v{i} up type veth peer name p{i}\n\
             link set p{i} master b{i} up\n\
             addr add {} dev b{i}\n",
            address(i)
        );
    }
    t
}

/// Drift: the first [`drifted`] veth pairs and the addresses of as many of the last bridges deleted.
pub fn drift(n: usize) -> String {
    let mut t = String::new();
    for i in 0..drifted(n) {
        let j = n - 1 - i;
        let _ = writeln!(t, "link del v{i}");
        let _ = writeln!(t, "addr del {} dev b{j}", address(j));
    }
    t
}

/// The same state for `nmstatectl apply --kernel`.
pub fn nmstate(n: usize) -> String {
    let mut t = String::from("interfaces:\n");
    for i in 0..n {
        let a = address(i);
        let (ip, prefix) = a.split_once('/').expect("a CIDR");
        let _ = write!(
            t,
            "- name: b{i}\n  type: linux-bridge\n  state: up\n\
             \x20 ipv4:\n    enabled: true\n    dhcp: false\n    address:\n\
             \x20   - ip: {ip}\n      prefix-length: {prefix}\n\
             \x20 bridge:\n    port:\n    - name: p{i}\n\
             - name: v{i}\n  type: veth\n  state: up\n  veth:\n    peer: p{i}\n\
             - name: p{i}\n  type: veth\n  state: up\n  veth:\n    peer: v{i}\n"
        );
    }
    t
}

/// A topology with only `[ovs]`: bridge `br0` and N internal ports, at `db`.
pub fn ovs_topology(n: usize, db: &str) -> String {
    let mut t = format!(
        "version = 1\n\n[host]\nuplink = \"{UPLINK}\"\n\n[ovs]\ndb = \"{db}\"\n\n[ovs.bridges.br0]\n"
    );
    for i in 0..n {
        let _ = write!(t, "\n[ovs.bridges.br0.ports.p{i}]\ntype = \"internal\"\n");
    }
    t
}

/// `ovs-vsctl` arguments adding internal port `p{i}` to `br0`.
pub fn vsctl_port(i: usize) -> Vec<String> {
    [
        "add-port",
        "br0",
        &format!("p{i}"),
        "--",
        "set",
        "Interface",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("p{i}"), "type=internal".to_string()])
    .collect()
}

/// One `ovs-vsctl` call doing it all: `add-br br0 -- add-port ... -- ...`.
pub fn vsctl_all(n: usize) -> Vec<String> {
    let mut args = vec!["add-br".to_string(), "br0".to_string()];
    for i in 0..n {
        args.push("--".into());
        args.extend(vsctl_port(i));
    }
    args
}
