//! What every part of the control plane shares: where the venv is, the
//! region, what the caller decides, and how private files are written.

use std::path::{Path, PathBuf};

/// Where the venv with neutron, keystone and python-openstackclient lives,
/// outside the repository so runs reuse it.
pub const OPENSTACK_VENV: &str = "/var/cache/aio/openstack-2025.1";
/// Kolla's `openstack_region_name`.
pub const REGION: &str = "RegionOne";

/// Where neutron-server finds OVN's databases (`ovn_nb_connection`,
/// `ovn_sb_connection`): `unix:PATH` or `tcp:ADDRESS:PORT`.
pub struct OvnEndpoints {
    pub nb: String,
    pub sb: String,
}

/// What the topology decides for Neutron.
pub struct NeutronSettings {
    /// `[ml2_type_flat] flat_networks` (Kolla: `neutron_physical_networks`).
    pub physnet: String,
    /// `global_physnet_mtu`.
    pub physnet_mtu: u32,
    /// `[ml2_type_vlan] network_vlan_ranges` (Kolla: empty).
    pub vlan_ranges: String,
}

impl Default for NeutronSettings {
    /// Kolla's defaults for one external bridge.
    fn default() -> Self {
        NeutronSettings {
            physnet: "physnet1".into(),
            physnet_mtu: 1500,
            vlan_ranges: String::new(),
        }
    }
}

/// The pins the venv is installed from (`crates/aio-sandbox/openstack/`).
pub const REQUIREMENTS: &str = include_str!("../../openstack/requirements.txt");
pub const CONSTRAINTS: &str = include_str!("../../openstack/upper-constraints-2025.1.txt");
/// The file in the venv that holds [`pins_digest`] once an install of
/// those pins finished: a venv without it, or with another digest, is not
/// the one the repository asks for.
pub const PINS_MARKER: &str = "aio-pins.sha256";

/// The SHA-256 of the requirements and the constraints, in hex.
pub fn pins_digest() -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(REQUIREMENTS.as_bytes());
    hash.update(b"\0");
    hash.update(CONSTRAINTS.as_bytes());
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether the venv holds a finished install of the repository's pins.
pub fn venv_has_pins() -> bool {
    let marker = Path::new(OPENSTACK_VENV).join(PINS_MARKER);
    std::fs::read_to_string(marker).is_ok_and(|m| m.trim() == pins_digest())
}

/// A program of the venv.
pub(crate) fn venv_bin(name: &str) -> PathBuf {
    Path::new(OPENSTACK_VENV).join("bin").join(name)
}

/// Writes `text` to a new file only its owner can read.
pub(crate) fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Makes directory `dir` reachable by its owner only.
pub(crate) fn make_private(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| format!("{}: {e}", dir.display()))
}
