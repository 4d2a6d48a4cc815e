//! The `openstack` CLI of the venv, authenticated as Kolla's post-deploy
//! sets an operator up: a `clouds.yaml` with cloud `kolla-admin`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::keystone;
use super::settings::{REGION, venv_bin};

pub const CLOUD: &str = "kolla-admin";

/// Writes `dir/clouds.yaml` (0600) as Kolla's `clouds.yaml.j2` renders
/// cloud `kolla-admin`, with the internal interface.
pub(crate) fn write_clouds_yaml(dir: &Path, admin_password: &str) -> Result<PathBuf, String> {
    let text = format!(
        "clouds:
  {CLOUD}:
    auth:
      auth_url: {url}
      project_domain_name: Default
      user_domain_name: Default
      project_name: admin
      username: admin
      password: {admin_password}
    interface: internal
    region_name: {REGION}
",
        url = keystone::URL,
    );
    let path = dir.join("clouds.yaml");
    super::settings::write_private(&path, &text)?;
    Ok(path)
}

/// Runs `openstack --os-cloud kolla-admin ARGS` inside namespace `ns`;
/// its stdout. An error names the command and holds its stderr, with
/// `secrets` masked.
pub(crate) fn run(
    ns: &str,
    clouds_yaml: &Path,
    args: &[&str],
    secrets: &[&str],
) -> Result<String, String> {
    let out = Command::new("ip")
        .args(["netns", "exec", ns])
        .arg(venv_bin("openstack"))
        .args(["--os-cloud", CLOUD])
        .args(args)
        .env("OS_CLIENT_CONFIG_FILE", clouds_yaml)
        .output()
        .map_err(|e| format!("openstack: {e}"))?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let mut said = String::from_utf8_lossy(&out.stderr).trim().to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        said = said.replace(secret, "***");
    }
    let mut command = args.join(" ");
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        command = command.replace(secret, "***");
    }
    Err(format!(
        "openstack {command} ({}): {}",
        out.status,
        super::daemon::tail_of(&said, 20).trim_end()
    ))
}
