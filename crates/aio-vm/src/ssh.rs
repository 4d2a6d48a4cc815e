//! SSH into a VM from inside the lab's namespace, with a key made for the run.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::process::{describe, output, run};
use crate::{Lab, VmError};

/// An ed25519 key pair made for one run, in the run's directory.
#[derive(Debug, Clone)]
pub struct SshKey {
    pub private: PathBuf,
    /// The base64 part of the public key.
    pub public_base64: String,
}

impl SshKey {
    /// `ssh-keygen -t ed25519` into `dir/id_ed25519`, without a passphrase.
    pub fn generate(dir: &Path) -> Result<Self, VmError> {
        let private = dir.join("id_ed25519");
        run(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "aio-vm", "-f"])
            .arg(&private))?;
        let public_path = dir.join("id_ed25519.pub");
        let public = std::fs::read_to_string(&public_path).map_err(VmError::io(&public_path))?;
        let public_base64 = public
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string();
        Ok(Self {
            private,
            public_base64,
        })
    }
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
    pub fn exec(&self, script: &str) -> Result<Output, VmError> {
        let mut command = self.remote(script);
        command.output().map_err(|source| VmError::Spawn {
            program: describe(&command),
            source,
        })
    }

    /// Runs `script` in the VM; its stdout, or an error when it fails.
    pub fn run(&self, script: &str) -> Result<String, VmError> {
        let out = output(&mut self.remote(script))?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Whether the VM answers a trivial command now.
    pub fn answers(&self) -> bool {
        self.exec("true").is_ok_and(|out| out.status.success())
    }

    /// Copies the local `file` to `remote` in the VM.
    pub fn copy(&self, file: &Path, remote: &str) -> Result<(), VmError> {
        let mut command = self.command("scp");
        command
            .arg(file)
            .arg(format!("root@{}:{remote}", self.address));
        output(&mut command).map(drop)
    }
}
