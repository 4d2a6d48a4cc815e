//! The `openstack` CLI of the venv, authenticated as Kolla's post-deploy
//! sets an operator up: a `clouds.yaml` with cloud `kolla-admin`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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

/// The batch runner: several `openstack` commands in one interpreter.
const BATCH_SCRIPT: &str = include_str!("../../openstack/openstack_batch.py");

/// Runs each of `commands` as `openstack --os-cloud kolla-admin ARGS`,
/// in order, in one Python interpreter inside namespace `ns` (the
/// client's start costs seconds, each call a fraction of one); their
/// stdouts. The first that fails stops the batch; the error names it and
/// holds its stderr, with `secrets` masked.
pub(crate) fn run_batch(
    ns: &str,
    dir: &Path,
    clouds_yaml: &Path,
    commands: &[Vec<String>],
    secrets: &[&str],
) -> Result<Vec<String>, String> {
    let script = dir.join("openstack_batch.py");
    if !script.exists() {
        std::fs::write(&script, BATCH_SCRIPT).map_err(|e| format!("{}: {e}", script.display()))?;
    }
    let argvs: Vec<Vec<&str>> = commands
        .iter()
        .map(|c| {
            let mut argv = vec!["--os-cloud", CLOUD];
            argv.extend(c.iter().map(String::as_str));
            argv
        })
        .collect();
    let input = serde_json::to_vec(&argvs).map_err(|e| e.to_string())?;
    let mut child = Command::new("ip")
        .args(["netns", "exec", ns])
        .arg(venv_bin("python3"))
        .arg(&script)
        .env("OS_CLIENT_CONFIG_FILE", clouds_yaml)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("the openstack batch: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(&input)
        .map_err(|e| format!("the openstack batch: {e}"))?;
    let out = child
        .wait_with_output()
        .map_err(|e| format!("the openstack batch: {e}"))?;
    let mask = |text: &str| {
        secrets
            .iter()
            .filter(|s| !s.is_empty())
            .fold(text.to_string(), |t, s| t.replace(s, "***"))
    };
    let results: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "the openstack batch ({}) printed no results ({e}): {}",
            out.status,
            mask(super::daemon::tail_of(&String::from_utf8_lossy(&out.stderr), 20).trim_end())
        )
    })?;
    let mut stdouts = Vec::new();
    for (result, command) in results.iter().zip(commands) {
        let text = |key: &str| result[key].as_str().unwrap_or_default().to_string();
        if result["code"].as_i64() != Some(0) {
            return Err(format!(
                "openstack {} (exit {}): {}",
                mask(&command.join(" ")),
                result["code"],
                mask(super::daemon::tail_of(&(text("stderr") + &text("stdout")), 20).trim_end())
            ));
        }
        stdouts.push(text("stdout"));
    }
    if stdouts.len() != commands.len() {
        return Err(format!(
            "the openstack batch ran {} of {} commands",
            stdouts.len(),
            commands.len()
        ));
    }
    Ok(stdouts)
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
