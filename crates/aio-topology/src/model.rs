//! The validated topology: what the rest of aio reads.

use indexmap::IndexMap;
use ipnet::{IpNet, Ipv4Net};
use std::net::Ipv4Addr;

use crate::diag::{Source, Span};
use crate::subst::Template;

/// A value together with where the file wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Topology {
    pub source: Source,
    pub host: Host,
    pub sysctl: Vec<Sysctl>,
    pub interfaces: IndexMap<String, Interface>,
    pub nat: Vec<Nat>,
    pub ovs: Option<Ovs>,
    pub kolla: Option<Kolla>,
    pub neutron: Option<Neutron>,
    pub nfs: Option<Nfs>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Uplink {
    /// The interface of the IPv4 default route with the lowest metric.
    Auto,
    Named(String),
}

#[derive(Debug, Clone)]
pub struct Host {
    pub uplink: Located<Uplink>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminState {
    Up,
    Down,
}

impl AdminState {
    pub fn as_str(self) -> &'static str {
        match self {
            AdminState::Up => "up",
            AdminState::Down => "down",
        }
    }
}

/// What aio creates for an interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterfaceKind {
    Bridge,
    /// A veth pair, declared on one end; `peer` is the other.
    Veth {
        peer: String,
    },
    /// The other end of the veth pair declared on `of`: created with it.
    VethPeer {
        of: String,
    },
    /// Not created by aio: it must exist; aio manages only its settings.
    Existing,
}

#[derive(Debug, Clone)]
pub struct Interface {
    pub name: String,
    pub name_span: Span,
    pub kind: InterfaceKind,
    /// Where a veth's `peer` is written; `None` on every other kind.
    pub peer_span: Option<Span>,
    pub master: Option<Located<String>>,
    pub addresses: Vec<Located<IpNet>>,
    pub state: AdminState,
    pub mtu: Option<u32>,
    /// Where the file sets `mtu`; set with `mtu` at `None` when the value
    /// was refused (and reported).
    pub mtu_span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SysctlValue {
    Int(i64),
    Text(String),
}

#[derive(Debug, Clone)]
pub struct Sysctl {
    /// Dotted name, e.g. `net.ipv4.ip_forward`.
    pub key: Located<String>,
    pub value: SysctlValue,
}

#[derive(Debug, Clone)]
pub struct Nat {
    pub source: Ipv4Net,
    /// Where the file writes `source`.
    pub source_span: Span,
    pub out: Located<Template>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OvsDb {
    Unix(String),
    Tcp { host: String, port: u16 },
}

/// `unix:PATH` or `tcp:HOST:PORT`, as written in the file.
impl std::fmt::Display for OvsDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OvsDb::Unix(path) => write!(f, "unix:{path}"),
            OvsDb::Tcp { host, port } if host.contains(':') => write!(f, "tcp:[{host}]:{port}"),
            OvsDb::Tcp { host, port } => write!(f, "tcp:{host}:{port}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Ovs {
    pub db: OvsDb,
    /// Where the file sets `db` (the file's start when it takes the default).
    pub db_span: Span,
    pub bridges: IndexMap<String, OvsBridge>,
}

#[derive(Debug, Clone)]
pub struct OvsBridge {
    pub name: String,
    /// Another resource creates the bridge (only `kolla` today).
    pub provided_by_kolla: bool,
    pub datapath_type: Option<String>,
    pub fail_mode: Option<String>,
    pub ports: IndexMap<String, OvsPort>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OvsPortType {
    System,
    Internal,
}

#[derive(Debug, Clone)]
pub struct OvsPort {
    pub name: String,
    pub name_span: Span,
    pub tag: Option<u16>,
    pub trunks: Vec<u16>,
    pub kind: OvsPortType,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Vip {
    Auto,
    Address(Ipv4Addr),
}

#[derive(Debug, Clone)]
pub struct Kolla {
    pub package: String,
    pub venv: String,
    pub config_dir: String,
    pub inventory: String,
    pub vip: Located<Vip>,
    pub actions: Vec<String>,
    /// `[kolla.globals]`, in file order; string leaves may hold substitutions.
    pub globals: IndexMap<String, Located<toml::Value>>,
    /// INI overrides: relative path -> section -> key -> value.
    pub config: IndexMap<String, IndexMap<String, IndexMap<String, toml::Value>>>,
    /// Where the file sets `venv`, `config_dir` and each action (at `vip`
    /// when a default is taken), for errors found after validation.
    pub spans: KollaSpans,
}

#[derive(Debug, Clone, Default)]
pub struct KollaSpans {
    pub venv: Span,
    pub config_dir: Span,
    /// One per action, in order.
    pub actions: Vec<Span>,
    /// Each `[kolla.config]` value, by (path, section, key).
    pub config: IndexMap<(String, String, String), Span>,
}

/// `[neutron]`: the cloud side aio keeps in step with the plumbing,
/// through Neutron's API.
#[derive(Debug, Clone)]
pub struct Neutron {
    /// Where `[neutron]` (or its first table) is written.
    pub span: Span,
    /// The cloud of `clouds_yaml` aio signs in as; `kolla-admin` by default.
    pub cloud: Located<String>,
    /// The `clouds.yaml` to read; `None`: `<kolla.config_dir>/clouds.yaml`,
    /// which Kolla's post-deploy writes.
    pub clouds_yaml: Option<Located<String>>,
    /// `[neutron.external_network]`, when declared.
    pub external_network: Option<ExternalNetworkDecl>,
}

/// `[neutron.external_network]`: Neutron's external network and its
/// subnet. What is `None` is derived from the plumbing (the subnet and
/// address of the bridge the external interface's veth peer is enslaved
/// to, a pool clear of every host address).
#[derive(Debug, Clone)]
pub struct ExternalNetworkDecl {
    /// Where `[neutron.external_network]` is written.
    pub span: Span,
    /// The network's name; `public1` by default (located at the table).
    pub name: Located<String>,
    /// The subnet's name; `NAME-subnet` by default.
    pub subnet: Located<String>,
    /// The physical network it is flat on; `physnet1` by default.
    pub physical_network: Located<String>,
    pub cidr: Option<Located<Ipv4Net>>,
    pub gateway: Option<Located<Ipv4Addr>>,
    /// First and last address Neutron hands out.
    pub allocation_pool: Option<Located<(Ipv4Addr, Ipv4Addr)>>,
    /// `false` by default: nothing on the outside network asks for DHCP.
    pub dhcp: Located<bool>,
}

/// `[nfs]`: directories exported over NFS from aio's own drop-in,
/// `/etc/exports.d/aio.exports`; one of them may be Cinder's NFS share.
#[derive(Debug, Clone)]
pub struct Nfs {
    /// Where `[nfs]` (or its first table) is written.
    pub span: Span,
    /// The exports, by path, in file order.
    pub exports: IndexMap<String, NfsExport>,
    /// `cinder_share`: the path of the export Cinder's NFS backend uses.
    /// aio renders Kolla's `nfs_shares` from it and sets Kolla's
    /// `enable_cinder` and `enable_cinder_backend_nfs`.
    pub cinder_share: Option<Located<String>>,
    /// The server address Cinder mounts from (`address`);
    /// `${uplink_address}` by default (located at `[nfs]`).
    pub address: Located<Template>,
}

/// `[nfs.exports."PATH"]`: one exported directory.
#[derive(Debug, Clone)]
pub struct NfsExport {
    /// Absolute, normalised (no `.`, `..` or trailing `/`).
    pub path: String,
    /// Where the export's table name is written.
    pub path_span: Span,
    /// Who may mount it: addresses or IPv4 networks, each may hold
    /// substitutions (`${uplink_address}`); `*` only with `any_client`.
    pub clients: Vec<Located<Template>>,
    /// exports(5) options, e.g. `rw`, `sync`, `no_subtree_check`,
    /// `no_root_squash`; the default `["rw", "sync", "no_subtree_check"]`.
    pub options: Vec<Located<String>>,
    /// The directory's owner and group, by name or number; `None`: root.
    pub owner: Option<Located<String>>,
    pub group: Option<Located<String>>,
    /// The directory's permission bits; 0o755 by default.
    pub mode: Located<u32>,
    /// `any_client = true`: the file says `*` on purpose.
    pub any_client: bool,
}
