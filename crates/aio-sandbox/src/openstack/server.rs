//! neutron-server with ML2/OVN as Kolla-Ansible 2025.1's neutron role
//! renders it (`neutron.conf.j2`, `ml2_conf.ini.j2`), pointed at the
//! sandbox's northbound and southbound databases, authenticating requests
//! through keystonemiddleware against the Keystone beside it. No RabbitMQ
//! (`transport_url = fake://`), as few processes as neutron-server allows.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::daemon::{Daemon, poll_daemon};
use super::settings::{NeutronSettings, OvnEndpoints, REGION, venv_bin};
use super::{http, keystone};

pub const PORT: u16 = 9696;
/// neutron-server's URL in the catalog (internal and public, as Kolla
/// registers it).
pub const URL: &str = "http://127.0.0.1:9696";

/// Writes `dir/neutron.conf` and `dir/ml2_conf.ini`; returns the
/// `--config-file` arguments, in Kolla's order.
pub(crate) fn write_conf(
    dir: &Path,
    db_url: &str,
    neutron_password: &str,
    ovn: &OvnEndpoints,
    settings: &NeutronSettings,
) -> Result<Vec<PathBuf>, String> {
    let at = |name: &str| dir.join(name).display().to_string();
    let paste = Path::new(super::settings::OPENSTACK_VENV).join("etc/neutron/api-paste.ini");
    let neutron = format!(
        "[DEFAULT]
debug = false
log_file = {log}
use_stderr = false
bind_host = 127.0.0.1
bind_port = {PORT}
api_paste_config = {paste}
# One API worker, no RPC workers: the fewest processes neutron-server runs.
api_workers = 1
rpc_workers = 0
rpc_state_report_workers = 0
state_path = {state}
core_plugin = ml2
service_plugins = ovn-router
transport_url = fake://
dns_domain = openstacklocal
ipam_driver = internal
global_physnet_mtu = {mtu}
auth_strategy = keystone
# No Nova here to tell about ports.
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false

[oslo_middleware]
enable_proxy_headers_parsing = true

[oslo_concurrency]
lock_path = {lock}

[database]
connection = {db_url}

[keystone_authtoken]
service_type = network
www_authenticate_uri = {keystone}
auth_url = {keystone}
auth_type = password
project_domain_id = default
user_domain_id = default
project_name = service
username = neutron
password = {neutron_password}
region_name = {REGION}

[oslo_messaging_notifications]
driver = noop
",
        log = at("neutron-server.log"),
        paste = paste.display(),
        state = at("neutron-state"),
        lock = at("neutron-lock"),
        mtu = settings.physnet_mtu,
        keystone = keystone::URL,
    );
    let ml2 = format!(
        "[ml2]
type_drivers = flat,vlan,vxlan,geneve
tenant_network_types = geneve
mechanism_drivers = ovn
extension_drivers = port_security

[ml2_type_vlan]
network_vlan_ranges = {vlan_ranges}

[ml2_type_flat]
flat_networks = {physnet}

[ml2_type_vxlan]
vni_ranges = 1:1000

[ml2_type_geneve]
vni_ranges = 1001:2000
max_header_size = 38

[ovn]
ovn_nb_connection = {nb}
ovn_sb_connection = {sb}
ovn_metadata_enabled = true
enable_distributed_floating_ip = false
ovn_emit_need_to_frag = true
",
        vlan_ranges = settings.vlan_ranges,
        physnet = settings.physnet,
        nb = ovn.nb,
        sb = ovn.sb,
    );
    for sub in ["neutron-state", "neutron-lock"] {
        std::fs::create_dir_all(dir.join(sub)).map_err(|e| format!("{}: {e}", at(sub)))?;
    }
    let files = vec![dir.join("neutron.conf"), dir.join("ml2_conf.ini")];
    super::settings::write_private(&files[0], &neutron)?;
    super::settings::write_private(&files[1], &ml2)?;
    Ok(files)
}

fn config_args(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .flat_map(|f| ["--config-file".to_string(), f.display().to_string()])
        .collect()
}

/// `neutron-db-manage --config-file … upgrade heads`, as Kolla's bootstrap.
pub(crate) fn migrate(files: &[PathBuf]) -> Result<(), String> {
    let out = Command::new(venv_bin("neutron-db-manage"))
        .args(config_args(files))
        .args(["upgrade", "heads"])
        .output()
        .map_err(|e| format!("neutron-db-manage: {e}"))?;
    match out.status.success() {
        true => Ok(()),
        false => Err(format!(
            "neutron-db-manage upgrade heads: {}",
            super::daemon::tail_of(&String::from_utf8_lossy(&out.stderr), 30)
        )),
    }
}

/// Starts neutron-server in namespace `ns`; returns once `GET /` answers.
pub(crate) fn start(ns: &str, dir: &Path, files: &[PathBuf]) -> Result<Daemon, String> {
    let mut daemon = Daemon::spawn(
        "neutron-server",
        ns,
        &venv_bin("neutron-server"),
        &config_args(files),
        &[],
        dir.join("neutron-server.out"),
    )?;
    let answers = || http::status(ns, PORT, "/") == Some(200);
    poll_daemon(&mut daemon, Duration::from_secs(120), answers)
        .map_err(|e| format!("neutron-server: GET / on 127.0.0.1:{PORT}: {e}"))?;
    Ok(daemon)
}
