//! What the tests of the checks share: a file's errors as a user reads
//! them, and the plumbing of the reference topology to build files on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// The reference's outside network and Octavia cable, without `[neutron]`:
/// `veth-ovs` (Kolla's external interface) to `veth-br` on `dummy1`
/// (10.0.2.2/24), NAT of 10.0.2.0/24, `v-lbaas` (172.18.255.254/16) to
/// `v-lbaas-vlan`, a port of `br-ex` with tag 1718.
pub(crate) const PLUMBING: &str = r#"version = 1
[interfaces.dummy1]
type = "bridge"
addresses = ["10.0.2.2/24"]
[interfaces.veth-ovs]
type = "veth"
peer = "veth-br"
[interfaces.veth-br]
master = "dummy1"
[interfaces.v-lbaas-vlan]
type = "veth"
peer = "v-lbaas"
[interfaces.v-lbaas]
addresses = ["172.18.255.254/16"]
[[nat]]
source = "10.0.2.0/24"
out = "eth0"
[ovs.bridges.br-ex]
provided_by = "kolla"
[ovs.bridges.br-ex.ports.v-lbaas-vlan]
tag = 1718
[kolla]
vip = "192.0.2.250"
[kolla.globals]
neutron_external_interface = "veth-ovs"
octavia_network_interface = "v-lbaas"
"#;

/// One error: `LINE:COL message` and its help.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Said {
    pub at: String,
    pub message: String,
    pub help: String,
}

/// Every error of `text`, in file order; none when it validates.
pub(crate) fn errors(text: &str) -> Vec<Said> {
    match crate::parse_str("t.toml", text.to_string()) {
        Ok(_) => Vec::new(),
        Err(d) => d
            .items
            .iter()
            .map(|i| {
                let (line, col) = d.file.line_col(i.span.start);
                Said {
                    at: format!("{line}:{col}"),
                    message: i.message.clone(),
                    help: i.help.clone().unwrap_or_default(),
                }
            })
            .collect(),
    }
}

/// The only error of `text`, which must have exactly one.
#[track_caller]
pub(crate) fn only_error(text: &str) -> Said {
    let mut all = errors(text);
    assert_eq!(all.len(), 1, "{all:#?}\n{text}");
    all.remove(0)
}

/// `text` validates; the topology.
#[track_caller]
pub(crate) fn valid(text: &str) -> crate::Topology {
    crate::parse_str("t.toml", text.to_string()).unwrap_or_else(|d| panic!("{d}\n{text}"))
}

/// The 1-based line of the first line of `text` that starts with `prefix`.
#[track_caller]
pub(crate) fn line_of(text: &str, prefix: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starts with {prefix:?}"))
        + 1
}

/// `LINE:COL` of the first occurrence of `needle` in `text`, as errors say it.
#[track_caller]
pub(crate) fn at(text: &str, needle: &str) -> String {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in the text"));
    let (line, col) = crate::Source::new("t.toml", text).line_col(offset);
    format!("{line}:{col}")
}
