//! SSH into a VM from inside the lab's namespace, with a key made for the run.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crate::process::{output_within, run, succeeded};
use crate::{Lab, VmError};

/// How long a command or copy in a VM may take unless told otherwise: a
/// command that blocks fails the run at it instead of hanging it.
pub const SSH_DEADLINE: Duration = Duration::from_secs(900);
/// How long the trivial command of [`Ssh::answers`] may take.
const ANSWER_DEADLINE: Duration = Duration::from_secs(60);

/// An ed25519 key pair made for one run, in the run's directory.
#[derive(Debug, Clone)]
pub struct SshKey {
    pub private: PathBuf,
    /// The base64 part of the public key.
    pub public_base64: String,
}

impl SshKey {
    /// `ssh-keygen -t ed25519` into `dir/id_ed25519`, without a passphrase.
    /// Fails when the public key it wrote cannot be read: a VM given no key
    /// would never let the run in.
    pub fn generate(dir: &Path) -> Result<Self, VmError> {
        let private = dir.join("id_ed25519");
        run(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "aio-vm", "-f"])
            .arg(&private))?;
        let public_path = dir.join("id_ed25519.pub");
        let public = std::fs::read_to_string(&public_path).map_err(VmError::io(&public_path))?;
        let public_base64 = public_base64(&public)
            .ok_or_else(|| VmError::BadKey {
                path: public_path.clone(),
            })?
            .to_string();
        Ok(Self {
            private,
            public_base64,
        })
    }
}

/// The base64 part of an OpenSSH public key line (`TYPE BASE64 COMMENT`),
/// when there is one.
fn public_base64(line: &str) -> Option<&str> {
    let mut parts = line.split_whitespace();
    let kind = parts.next()?;
    let key = parts.next()?;
    let base64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=');
    (kind.starts_with("ssh-") && key.chars().all(base64)).then_some(key)
}

/// How to reach one VM: its address, from inside the lab, as root.
#[derive(Debug, Clone)]
pub struct Ssh {
    netns: String,
    address: Ipv4Addr,
    key: PathBuf,
}

/// The options every connection uses: the VMs' host keys are the image's
/// and are not recorded; nothing is asked.
const OPTIONS: &[&str] = &[
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "LogLevel=ERROR",
    "-o",
    "ConnectTimeout=10",
    "-o",
    "ServerAliveInterval=5",
    "-o",
    "ServerAliveCountMax=3",
];

impl Ssh {
    pub fn new(lab: &Lab, address: Ipv4Addr, key: &SshKey) -> Self {
        Self {
            netns: lab.name().to_string(),
            address,
            key: key.private.clone(),
        }
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new("ip");
        command
            .args(["netns", "exec", &self.netns, program, "-i"])
            .arg(&self.key)
            .args(OPTIONS);
        command
    }

    /// `ssh root@ADDRESS SCRIPT`.
    fn remote(&self, script: &str) -> Command {
        let mut command = self.command("ssh");
        command.arg(format!("root@{}", self.address)).arg(script);
        command
    }

    /// Runs `script` in the VM's shell; its output whatever its exit status.
    /// Fails when it has not ended within [`SSH_DEADLINE`].
    pub fn exec(&self, script: &str) -> Result<Output, VmError> {
        self.exec_within(script, SSH_DEADLINE)
    }

    /// Runs `script` in the VM's shell; its output whatever its exit status.
    /// Fails when it has not ended within `deadline`.
    pub fn exec_within(&self, script: &str, deadline: Duration) -> Result<Output, VmError> {
        output_within(&self.remote(script), &self.shown(script), deadline)
    }

    /// Runs `script` in the VM; its stdout, or an error when it fails or
    /// has not ended within [`SSH_DEADLINE`].
    pub fn run(&self, script: &str) -> Result<String, VmError> {
        let out = succeeded(self.exec(script)?, &self.shown(script))?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Whether the VM answers a trivial command now.
    pub fn answers(&self) -> bool {
        self.exec_within("true", ANSWER_DEADLINE)
            .is_ok_and(|out| out.status.success())
    }

    /// Copies the local `file` to `remote` in the VM, within [`SSH_DEADLINE`].
    pub fn copy(&self, file: &Path, remote: &str) -> Result<(), VmError> {
        let target = format!("root@{}:{remote}", self.address);
        let mut command = self.command("scp");
        command.arg(file).arg(&target);
        let shown = format!("scp {} {target}", file.display());
        let out = output_within(&command, &shown, SSH_DEADLINE)?;
        succeeded(out, &shown).map(drop)
    }

    /// The command for messages: `ssh root@ADDRESS SCRIPT`.
    fn shown(&self, script: &str) -> String {
        format!("ssh root@{} {script}", self.address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base64_part_of_a_public_key_is_read_and_an_empty_key_is_none() {
        let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMh/x+0= aio-vm\n";
        assert_eq!(
            public_base64(line),
            Some("AAAAC3NzaC1lZDI1NTE5AAAAIMh/x+0=")
        );
        assert_eq!(public_base64(""), None);
        assert_eq!(public_base64("ssh-ed25519\n"), None);
        assert_eq!(public_base64("not a key"), None);
    }
}
