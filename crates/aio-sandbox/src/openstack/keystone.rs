//! Keystone as Kolla runs it, minus Apache: `keystone.conf` with Kolla's
//! token settings (fernet, its expiry and window, the number of keys they
//! imply), served on 127.0.0.1:5000 inside the namespace by wsgiref
//! (`openstack/keystone_wsgi.py`) running Keystone's public application.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::daemon::{Daemon, poll_daemon};
use super::http;
use super::settings::{REGION, venv_bin};

pub const PORT: u16 = 5000;
/// Keystone's public and internal URL in the catalog.
pub const URL: &str = "http://127.0.0.1:5000";
const WSGI_SCRIPT: &str = include_str!("../../openstack/keystone_wsgi.py");

/// Kolla's `fernet_token_expiry` and `fernet_token_allow_expired_window`.
const TOKEN_EXPIRY: u64 = 86400;
const ALLOW_EXPIRED_WINDOW: u64 = 172800;
/// Kolla's `fernet_key_rotation_interval`.
const KEY_ROTATION: u64 = 259200;

/// Writes `dir/keystone.conf`: database `db_url`, keys in `dir/fernet-keys`.
pub(crate) fn write_conf(dir: &Path, db_url: &str) -> Result<PathBuf, String> {
    let max_active_keys = (TOKEN_EXPIRY + ALLOW_EXPIRED_WINDOW).div_ceil(KEY_ROTATION) + 2;
    let conf = format!(
        "[DEFAULT]
debug = false
log_file = {log}
use_stderr = false

[oslo_middleware]
enable_proxy_headers_parsing = true

[database]
connection = {db_url}

[token]
revoke_by_id = false
provider = fernet
expiration = {TOKEN_EXPIRY}
allow_expired_window = {ALLOW_EXPIRED_WINDOW}

[fernet_tokens]
key_repository = {keys}
max_active_keys = {max_active_keys}

[cache]
enabled = false

[oslo_messaging_notifications]
driver = noop
",
        log = dir.join("keystone.log").display(),
        keys = dir.join("fernet-keys").display(),
    );
    let path = dir.join("keystone.conf");
    super::settings::write_private(&path, &conf)?;
    Ok(path)
}

/// `keystone-manage --config-file CONF ARGS` with `env` added (a password
/// goes there, never into the arguments or an error).
pub(crate) fn manage(conf: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let out = Command::new(venv_bin("keystone-manage"))
        .arg("--config-file")
        .arg(conf)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .map_err(|e| format!("keystone-manage: {e}"))?;
    match out.status.success() {
        true => Ok(()),
        false => Err(format!(
            "keystone-manage {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

/// `keystone-manage bootstrap` as Kolla's `kolla_keystone_bootstrap` runs
/// it: admin project, user and role, the identity service's endpoints (its
/// admin URL is the internal one), region RegionOne.
pub(crate) fn bootstrap(conf: &Path, admin_password: &str) -> Result<(), String> {
    let args = [
        "bootstrap",
        "--bootstrap-username",
        "admin",
        "--bootstrap-project-name",
        "admin",
        "--bootstrap-role-name",
        "admin",
        "--bootstrap-service-name",
        "keystone",
        "--bootstrap-admin-url",
        URL,
        "--bootstrap-internal-url",
        URL,
        "--bootstrap-public-url",
        URL,
        "--bootstrap-region-id",
        REGION,
    ];
    manage(conf, &args, &[("OS_BOOTSTRAP_PASSWORD", admin_password)])
}

/// Starts Keystone on `conf` in namespace `ns`; returns once `GET /v3`
/// answers 200.
pub(crate) fn start(ns: &str, dir: &Path, conf: &Path) -> Result<Daemon, String> {
    let script = dir.join("keystone_wsgi.py");
    std::fs::write(&script, WSGI_SCRIPT).map_err(|e| format!("{}: {e}", script.display()))?;
    let args = [
        script.display().to_string(),
        "127.0.0.1".to_string(),
        PORT.to_string(),
    ];
    let mut daemon = Daemon::spawn(
        "keystone",
        ns,
        &venv_bin("python3"),
        &args,
        &[("OS_KEYSTONE_CONFIG_FILES", conf)],
        dir.join("keystone.out"),
    )?;
    let answers = || http::status(ns, PORT, "/v3") == Some(200);
    poll_daemon(&mut daemon, Duration::from_secs(90), answers)
        .map_err(|e| format!("Keystone: GET /v3 on 127.0.0.1:{PORT}: {e}"))?;
    Ok(daemon)
}
