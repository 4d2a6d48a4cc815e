//! Running checks in a VM over SSH: a script that must succeed, and what
//! the proofs ask of every converged host.

use std::path::Path;

use aio_vm::{Ssh, Vm};

use super::common::BOOT_DEADLINE;

/// A proof's value and the detail its checked line shows, or why it failed.
pub type Proof<T> = Result<(T, String), String>;

pub fn said(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
    .trim()
    .to_string()
}

/// Runs `script`, which must exit 0; its stdout.
pub fn must(ssh: &Ssh, script: &str) -> Result<String, String> {
    let out = ssh.exec(script).map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(format!(
            "`{script}` exited {}: {}",
            out.status.code().unwrap_or(-1),
            said(&out)
        ))
    }
}

/// `aio plan --detailed-exitcode` exits 0: nothing to change.
pub fn plan_is_empty(ssh: &Ssh, topology: &str) -> Result<(), String> {
    let out = ssh
        .exec(&format!(
            "aio plan -f {topology} --detailed-exitcode --color never"
        ))
        .map_err(|e| e.to_string())?;
    match out.status.code() {
        Some(0) => Ok(()),
        code => Err(format!(
            "aio plan --detailed-exitcode exited {code:?}, not 0:\n{}",
            said(&out)
        )),
    }
}

/// Copies the Debian package into the VM and installs it with `apt-get`;
/// checks the files it must bring.
pub fn install_package(ssh: &Ssh, deb: &Path) -> Proof<()> {
    let name = deb
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or("the package has no file name")?;
    ssh.copy(deb, &format!("/root/{name}"))
        .map_err(|e| e.to_string())?;
    must(
        ssh,
        &format!("cd /root && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ./{name}"),
    )?;
    for file in [
        "/usr/bin/aio",
        "/usr/share/man/man1/aio.1.gz",
        "/usr/share/bash-completion/completions/aio",
        "/usr/share/zsh/vendor-completions/_aio",
        "/usr/share/fish/vendor_completions.d/aio.fish",
        "/usr/lib/systemd/system/aio.service",
    ] {
        must(ssh, &format!("test -f {file}")).map_err(|_| format!("{file} is not installed"))?;
    }
    // A closed stdout ends the output, never a panic.
    let first = must(
        ssh,
        "aio --version | head -1; echo \"exit ${PIPESTATUS[0]}\"",
    )?;
    if !first.ends_with("exit 0") {
        return Err(format!("`aio --version | head -1` failed: {first}"));
    }
    let version = must(ssh, "aio --version")?;
    let first = version.lines().next().unwrap_or_default().to_string();
    Ok((
        (),
        format!("{first}; man page, completions and unit present"),
    ))
}

/// `systemctl reboot`, then SSH again from the new boot.
pub fn reboot(vm: &mut Vm) -> Proof<()> {
    let took = vm.reboot(BOOT_DEADLINE).map_err(|e| e.to_string())?;
    Ok(((), format!("reboot cycle {:.1} s", took.as_secs_f64())))
}

/// Writes `text` to `path` in the VM (its directory made first).
pub fn write_topology(ssh: &Ssh, path: &str, text: &str) -> Result<(), String> {
    must(
        ssh,
        &format!("mkdir -p \"$(dirname {path})\" && cat > {path} <<'TOPOLOGY'\n{text}TOPOLOGY"),
    )
    .map(drop)
}

/// Polls until aio.service is active, for at most `seconds`; fails at
/// once when it failed or restarted, with its status and journal. Returns
/// about how many seconds it waited.
pub fn wait_active(ssh: &Ssh, seconds: u32) -> Result<u32, String> {
    let waited = must(
        ssh,
        &format!(
            "for i in $(seq {seconds}); do \
               s=$(systemctl is-active aio.service); \
               [ \"$s\" = active ] && {{ echo \"$i\"; exit 0; }}; \
               [ \"$s\" = failed ] && break; \
               [ \"$(systemctl show -p NRestarts --value aio.service)\" != 0 ] && break; \
               sleep 1; done; \
             systemctl status --no-pager aio.service; \
             journalctl -b -u aio.service -n 20 --no-pager; exit 1"
        ),
    )
    .map_err(|e| format!("aio.service did not become active: {e}"))?;
    waited
        .parse()
        .map_err(|_| format!("the wait for aio.service printed {waited:?}, not its seconds"))
}

/// Waits until systemd says the boot is over (`running` or `degraded`), so
/// a baseline taken next does not race units still starting, such as
/// docker.service making `docker0` under software emulation.
pub fn wait_settled(ssh: &Ssh) -> Result<String, String> {
    let state = ssh
        .exec_within(
            "timeout 300 systemctl is-system-running --wait",
            std::time::Duration::from_secs(330),
        )
        .map_err(|e| e.to_string())?;
    let state = String::from_utf8_lossy(&state.stdout).trim().to_string();
    match state.as_str() {
        "running" | "degraded" => Ok(state),
        _ => Err(format!(
            "the boot did not settle in 300 s: systemd says {state:?}"
        )),
    }
}
