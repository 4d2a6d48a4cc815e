//! The file as serde reads it: every key known, every value located.
//! Meaning is checked in `validate`; these types only fix the shape.
//!
//! The same types give the JSON Schema of the format ([`crate::json_schema`]):
//! their doc comments are its descriptions, and each located value names the
//! schema of what it holds (see `schema`), since `Spanned` has none.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::schema::leaves as s;

pub type Map<T> = IndexMap<Spanned<String>, T>;

/// The host plumbing of an all-in-one OpenStack, read by `aio validate`,
/// `aio plan` and `aio apply`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "aio topology.toml")]
pub struct RawTopology {
    /// The format version; this aio reads version 1.
    #[schemars(with = "s::Version")]
    pub version: Spanned<i64>,
    /// The host itself.
    pub host: Option<RawHost>,
    /// Kernel parameters set through /proc/sys, by dotted name, e.g.
    /// `"net.ipv4.ip_forward" = 1`. Inside a `--netns` sandbox only `net.*`
    /// keys are the namespace's own.
    #[schemars(with = "Option<s::Named<s::SysctlKey, s::SysctlValue>>")]
    pub sysctl: Option<Map<Spanned<toml::Value>>>,
    /// Linux interfaces by name: bridges and veth pairs aio creates, or
    /// existing interfaces whose settings it manages.
    #[schemars(with = "Option<s::Named<s::InterfaceName, RawInterface>>")]
    pub interfaces: Option<Map<RawInterface>>,
    /// Masquerade rules (`[[nat]]`), in nftables table `ip aio`.
    pub nat: Option<Vec<RawNat>>,
    /// Open vSwitch bridges and ports, through OVSDB.
    pub ovs: Option<RawOvs>,
    /// The Kolla-Ansible deployment: venv, globals, service overrides, actions.
    pub kolla: Option<RawKolla>,
    /// Neutron's side of the plumbing, through its API: the cloud aio signs
    /// in as and the external network.
    #[schemars(with = "Option<RawNeutron>")]
    pub neutron: Option<Spanned<RawNeutron>>,
    /// Directories exported over NFS from aio's own drop-in,
    /// `/etc/exports.d/aio.exports`; one of them may be Cinder's NFS share.
    #[schemars(with = "Option<RawNfs>")]
    pub nfs: Option<Spanned<RawNfs>>,
}

/// `[host]`: which NIC is the management uplink.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Host")]
pub struct RawHost {
    /// The management NIC: `"auto"` (the default) is the interface of the
    /// IPv4 default route with the lowest metric. aio never changes it.
    #[schemars(with = "Option<s::InterfaceName>")]
    pub uplink: Option<Spanned<String>>,
}

/// `[interfaces.NAME]`: one Linux interface.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Interface")]
pub struct RawInterface {
    /// What aio creates: `"bridge"` or `"veth"` (a pair, with `peer`).
    /// Without it the interface must exist (or be a declared veth's peer)
    /// and aio manages only its settings.
    #[serde(rename = "type")]
    #[schemars(with = "Option<s::InterfaceType>")]
    pub kind: Option<Spanned<String>>,
    /// The other end of a veth pair, created with it.
    #[schemars(with = "Option<s::InterfaceName>")]
    pub peer: Option<Spanned<String>>,
    /// The bridge this interface is enslaved to.
    #[schemars(with = "Option<s::InterfaceName>")]
    pub master: Option<Spanned<String>>,
    /// Addresses in CIDR form, e.g. `["10.0.2.2/24"]`. Addresses aio did
    /// not add are left alone.
    #[schemars(with = "Option<Vec<s::Cidr>>")]
    pub addresses: Option<Vec<Spanned<String>>>,
    /// The administrative state: `"up"` (the default) or `"down"`.
    #[schemars(with = "Option<s::AdminState>")]
    pub state: Option<Spanned<String>>,
    /// The MTU, from 68 to 65535; left as it is when not set.
    #[schemars(with = "Option<s::Mtu>")]
    pub mtu: Option<Spanned<i64>>,
}

/// `[[nat]]`: masquerade traffic from `source` leaving through `out`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Nat")]
pub struct RawNat {
    /// The IPv4 network whose traffic is masqueraded, e.g. `"10.0.2.0/24"`.
    #[schemars(with = "s::Ipv4Network")]
    pub source: Spanned<String>,
    /// The interface it leaves through, usually `"${uplink}"`.
    #[schemars(with = "s::Text")]
    pub out: Spanned<String>,
}

/// `[ovs]`: the OVSDB server and the bridges aio manages through it.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Ovs")]
pub struct RawOvs {
    /// The OVSDB server: `"unix:PATH"` or `"tcp:HOST:PORT"`; by default
    /// `"unix:/run/openvswitch/db.sock"`.
    #[schemars(with = "Option<s::OvsDbAddress>")]
    pub db: Option<Spanned<String>>,
    /// Bridges by name.
    #[schemars(with = "Option<s::Named<s::InterfaceName, RawOvsBridge>>")]
    pub bridges: Option<Map<RawOvsBridge>>,
}

/// `[ovs.bridges.NAME]`: one Open vSwitch bridge.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "OvsBridge")]
pub struct RawOvsBridge {
    /// `"kolla"`: Kolla's deploy creates the bridge; aio only manages its
    /// ports, and they wait until the bridge exists.
    #[schemars(with = "Option<s::Provider>")]
    pub provided_by: Option<Spanned<String>>,
    /// `"system"` (the kernel datapath) or `"netdev"` (userspace).
    #[schemars(with = "Option<s::Datapath>")]
    pub datapath_type: Option<Spanned<String>>,
    /// `"standalone"` or `"secure"`.
    #[schemars(with = "Option<s::FailMode>")]
    pub fail_mode: Option<Spanned<String>>,
    /// Ports by name; a port of type `"system"` is the Linux interface of that name.
    #[schemars(with = "Option<s::Named<s::InterfaceName, RawOvsPort>>")]
    pub ports: Option<Map<RawOvsPort>>,
}

/// `[ovs.bridges.BRIDGE.ports.NAME]`: one port.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "OvsPort")]
pub struct RawOvsPort {
    /// The access VLAN, from 1 to 4094.
    #[schemars(with = "Option<s::VlanId>")]
    pub tag: Option<Spanned<i64>>,
    /// The VLANs a trunk port carries.
    #[schemars(with = "Option<Vec<s::VlanId>>")]
    pub trunks: Option<Vec<Spanned<i64>>>,
    /// `"system"` (the default: an existing Linux interface) or `"internal"`.
    #[serde(rename = "type")]
    #[schemars(with = "Option<s::PortType>")]
    pub kind: Option<Spanned<String>>,
}

/// `[kolla]`: the Kolla-Ansible deployment, one resource `kolla/deployment`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Kolla")]
pub struct RawKolla {
    /// The pip requirement installed into the venv; by default
    /// `"kolla-ansible>=20,<21"`.
    #[schemars(with = "Option<s::Text>")]
    pub package: Option<Spanned<String>>,
    /// The venv kolla-ansible runs from; by default `"/opt/aio/kolla"`.
    #[schemars(with = "Option<s::AbsolutePath>")]
    pub venv: Option<Spanned<String>>,
    /// Where `globals.d/aio.yml`, `passwords.yml`, the inventory and
    /// `config/` are written (`globals.yml` stays the operator's); by
    /// default `"/etc/kolla"`.
    #[schemars(with = "Option<s::AbsolutePath>")]
    pub config_dir: Option<Spanned<String>>,
    /// The inventory kolla-ansible ships to copy; by default `"all-in-one"`.
    #[schemars(with = "Option<s::Text>")]
    pub inventory: Option<Spanned<String>>,
    /// The internal VIP: an IPv4 address on the uplink's subnet, or
    /// `"auto"` (the one in use, else the first free one by ARP,
    /// remembered in the state dir).
    #[schemars(with = "s::Vip")]
    pub vip: Spanned<String>,
    /// kolla-ansible actions, run in order when the inputs change; `[]`
    /// renders the configuration only.
    #[schemars(with = "Option<Vec<s::KollaAction>>")]
    pub actions: Option<Vec<Spanned<String>>>,
    /// `globals.d/aio.yml` (read by Kolla after `globals.yml`), as TOML;
    /// strings may hold `${uplink}`, `${uplink_address}` and `${vip}`.
    #[schemars(with = "Option<s::Table<s::AnyValue>>")]
    pub globals: Option<Map<Spanned<toml::Value>>>,
    /// `[kolla.config."PATH".SECTION] key = value`: INI overrides written
    /// under `<config_dir>/config/PATH`.
    #[schemars(
        with = "Option<s::Named<s::ConfigPath, s::Named<s::IniSection, s::Named<s::IniKey, s::IniValue>>>>"
    )]
    pub config: Option<Map<Map<Map<Spanned<toml::Value>>>>>,
}

/// `[neutron]`: the cloud aio reaches Neutron's API through.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Neutron")]
pub struct RawNeutron {
    /// The cloud of `clouds_yaml` aio signs in as; by default `"kolla-admin"`.
    #[schemars(with = "Option<s::OneLine>")]
    pub cloud: Option<Spanned<String>>,
    /// The `clouds.yaml` to read, an absolute path; by default
    /// `<kolla.config_dir>/clouds.yaml`, which Kolla's post-deploy writes.
    /// Required without `[kolla]`.
    #[schemars(with = "Option<s::AbsolutePath>")]
    pub clouds_yaml: Option<Spanned<String>>,
    /// Neutron's external network: the header alone is enough, the rest is
    /// derived from the plumbing.
    #[schemars(with = "Option<RawExternalNetwork>")]
    pub external_network: Option<Spanned<RawExternalNetwork>>,
}

/// `[neutron.external_network]`: Neutron's external network, flat on a
/// physnet, and its subnet. What is left out is derived from the bridge
/// behind `neutron_external_interface`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ExternalNetwork")]
pub struct RawExternalNetwork {
    /// The network's name; by default `"public1"`.
    #[schemars(with = "Option<s::NeutronName>")]
    pub name: Option<Spanned<String>>,
    /// The subnet's name; by default `"<name>-subnet"`.
    #[schemars(with = "Option<s::NeutronName>")]
    pub subnet: Option<Spanned<String>>,
    /// The physical network the network is flat on: `"physnet1"` (the
    /// default), which Kolla maps to the first `neutron_bridge_name`.
    #[schemars(with = "Option<s::Physnet>")]
    pub physical_network: Option<Spanned<String>>,
    /// The subnet, e.g. `"10.0.2.0/24"`: the subnet of the bridge behind
    /// `neutron_external_interface` (the default) or a network inside it.
    #[schemars(with = "Option<s::Ipv4Network>")]
    pub cidr: Option<Spanned<String>>,
    /// The subnet's gateway: that bridge's address (the default).
    #[schemars(with = "Option<s::Ipv4Address>")]
    pub gateway: Option<Spanned<String>>,
    /// The addresses Neutron hands out, `"FIRST-LAST"`; by default the
    /// longest run of the subnet's upper half without a host address.
    #[schemars(with = "Option<s::Ipv4Range>")]
    pub allocation_pool: Option<Spanned<String>>,
    /// Whether Neutron serves DHCP on the subnet; by default `false`.
    #[schemars(with = "Option<bool>")]
    pub dhcp: Option<Spanned<bool>>,
}

/// `[nfs]`: the exports of `/etc/exports.d/aio.exports` and Cinder's share.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Nfs")]
pub struct RawNfs {
    /// The export Cinder's NFS backend uses: one of `exports`' paths;
    /// needs `[kolla]`. aio sets Kolla's `enable_cinder` and
    /// `enable_cinder_backend_nfs` and renders its `nfs_shares`.
    #[schemars(with = "Option<s::AbsolutePath>")]
    pub cinder_share: Option<Spanned<String>>,
    /// The server address Cinder mounts from: an IPv4 address,
    /// `"${uplink_address}"` (the default) or `"${vip}"`.
    #[schemars(with = "Option<s::NfsAddress>")]
    pub address: Option<Spanned<String>>,
    /// Exported directories by absolute path, e.g. `[nfs.exports."/mnt/nfs"]`.
    #[schemars(with = "Option<s::Named<s::ExportPath, RawNfsExport>>")]
    pub exports: Option<Map<RawNfsExport>>,
}

/// `[nfs.exports."PATH"]`: one exported directory, who may mount it and
/// the owner, group and mode aio gives the directory.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "NfsExport")]
pub struct RawNfsExport {
    /// Who may mount it: IPv4 addresses, networks (`"192.168.100.0/24"`),
    /// `"${uplink_address}"` (the host itself) or `"${vip}"`; `"*"` (every
    /// host) only with `any_client = true`.
    #[schemars(with = "Vec<s::NfsClient>")]
    pub clients: Spanned<Vec<Spanned<String>>>,
    /// exports(5) options; by default `["rw", "sync", "no_subtree_check"]`.
    /// `no_root_squash` is refused with a `"*"` client.
    #[schemars(with = "Option<Vec<s::ExportOption>>")]
    pub options: Option<Spanned<Vec<Spanned<String>>>>,
    /// The directory's owner: a user name or a uid; root when not set.
    #[schemars(with = "Option<s::UserOrId>")]
    pub owner: Option<Spanned<String>>,
    /// The directory's group: a group name or a gid; root when not set.
    #[schemars(with = "Option<s::UserOrId>")]
    pub group: Option<Spanned<String>>,
    /// The directory's permission bits as an octal string, e.g. `"0777"`;
    /// by default `"0755"`.
    #[schemars(with = "Option<s::FileMode>")]
    pub mode: Option<Spanned<toml::Value>>,
    /// `true` lets `clients` hold `"*"`: every host that reaches the
    /// server may mount the export. By default `false`.
    #[schemars(with = "Option<bool>")]
    pub any_client: Option<Spanned<bool>>,
}
