//! One QEMU: a copy-on-write overlay on the cached base, direct boot of
//! the image's kernel, a tap in the lab, the serial console in a file.
//! Dropping a [`Vm`] kills its QEMU by PID.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::cmdline::KernelCmdline;
use crate::interrupt::INTERRUPTED;
use crate::process::run;
use crate::qemu::{VmFiles, qemu_args};
use crate::qemu_child::QemuChild;
use crate::spec::VmSpec;
use crate::{Image, Lab, Ssh, SshKey, VmError};

/// A running VM.
#[derive(Debug)]
pub struct Vm {
    qemu: QemuChild,
    console: PathBuf,
    overlay: PathBuf,
    ssh: Ssh,
}

impl Vm {
    /// Makes the overlay `DIR/vmN.qcow2` on the image's base, a tap in the
    /// lab, and starts QEMU inside the lab's namespace. Returns at once:
    /// see [`Vm::wait_for_ssh`].
    ///
    /// QEMU runs in a process group of its own and is killed when the
    /// harness dies, even by SIGKILL (`aio_child`). It also dies with the
    /// *thread* that called this (a parent-death signal): boot in the
    /// thread that keeps the `Vm`; waiting in other threads is fine.
    pub fn boot(
        image: &Image,
        lab: &Lab,
        key: &SshKey,
        dir: &Path,
        spec: &VmSpec,
    ) -> Result<Self, VmError> {
        let files = VmFiles::new(dir, spec.index);
        run(Command::new("qemu-img")
            .args(["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b"])
            .arg(image.base())
            .arg(&files.overlay))?;
        let tap = lab.tap(spec.index)?;
        let address = lab.address(spec.index);
        let cmdline = KernelCmdline {
            hostname: format!("aio-vm-{}", spec.index),
            address,
            prefix: lab.net().prefix,
            gateway: lab.net().gateway,
            ssh_ed25519: key.public_base64.clone(),
        };
        let log = File::create(&files.qemu_log).map_err(VmError::io(&files.qemu_log))?;
        let log_err = log.try_clone().map_err(VmError::io(&files.qemu_log))?;
        let mut command = lab.command("qemu-system-x86_64");
        command
            .args(qemu_args(spec, image, &files, &tap, &cmdline))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        let qemu = QemuChild::spawn(&mut command)?;
        Ok(Self {
            qemu,
            console: files.console,
            overlay: files.overlay,
            ssh: Ssh::new(lab, address, key),
        })
    }

    pub fn ssh(&self) -> &Ssh {
        &self.ssh
    }

    /// The file the serial console is written to.
    pub fn console(&self) -> &Path {
        &self.console
    }

    /// The per-run overlay disk.
    pub fn overlay(&self) -> &Path {
        &self.overlay
    }

    pub fn pid(&self) -> u32 {
        self.qemu.pid()
    }

    /// Whether QEMU still runs.
    pub fn is_running(&mut self) -> bool {
        self.qemu.exited().is_none()
    }

    /// Polls until the VM answers over SSH, or QEMU stops, or `deadline`
    /// passes. Returns how long it took.
    pub fn wait_for_ssh(&mut self, deadline: Duration) -> Result<Duration, VmError> {
        self.wait_for(deadline, "SSH to answer", |ssh| ssh.answers())
    }

    /// The kernel's id of the current boot.
    pub fn boot_id(&self) -> Result<String, VmError> {
        Ok(self
            .ssh
            .run("cat /proc/sys/kernel/random/boot_id")?
            .trim()
            .to_string())
    }

    /// `systemctl reboot` in the VM, then polls until SSH answers from a
    /// new boot. Returns the time of the whole cycle.
    pub fn reboot(&mut self, deadline: Duration) -> Result<Duration, VmError> {
        let before = self.boot_id()?;
        // The connection may end before the command returns.
        let _ = self.ssh.exec("systemctl reboot");
        self.wait_for(deadline, "SSH to answer after the reboot", |ssh| {
            ssh.run("cat /proc/sys/kernel/random/boot_id")
                .is_ok_and(|id| !id.trim().is_empty() && id.trim() != before)
        })
    }

    /// `systemctl poweroff` in the VM, then waits for QEMU to exit; at
    /// `deadline` kills it by its PID and fails. Returns how long the
    /// VM took to power off.
    pub fn power_off(&mut self, deadline: Duration) -> Result<Duration, VmError> {
        let started = Instant::now();
        // The connection may end before the command returns.
        let _ = self.ssh.exec("systemctl --no-block poweroff");
        self.qemu.wait_exit(
            deadline.saturating_sub(started.elapsed()),
            &format!(
                "QEMU to exit after poweroff (console: {})",
                self.console.display()
            ),
        )?;
        Ok(started.elapsed())
    }

    fn wait_for(
        &mut self,
        deadline: Duration,
        what: &str,
        mut done: impl FnMut(&Ssh) -> bool,
    ) -> Result<Duration, VmError> {
        let started = Instant::now();
        loop {
            if INTERRUPTED.load(Ordering::SeqCst) {
                return Err(VmError::Interrupted);
            }
            if let Some(status) = self.qemu.exited() {
                return Err(VmError::QemuExited {
                    status: status.to_string(),
                    console: self.console.clone(),
                });
            }
            if done(&self.ssh) {
                return Ok(started.elapsed());
            }
            if started.elapsed() > deadline {
                return Err(VmError::Timeout {
                    what: format!("{what} (console: {})", self.console.display()),
                    seconds: deadline.as_secs(),
                });
            }
            std::thread::sleep(Duration::from_secs(2));
        }
    }
}

impl Drop for Vm {
    fn drop(&mut self) {
        self.qemu.kill();
    }
}
