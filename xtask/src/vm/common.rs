//! What every suite gets from the run, and the deadline every boot has.

use std::path::PathBuf;
use std::time::Duration;

use aio_vm::{Accel, Image, Lab, SshKey, Vm, VmSpec};

/// How long a VM may take to boot or reboot to SSH (TCG on a loaded
/// 2-core machine has taken 280 s).
pub const BOOT_DEADLINE: Duration = Duration::from_secs(600);

/// What every suite gets: the image, the package, a directory of its own
/// (for overlays and consoles), the key its VMs trust and how QEMU runs.
#[derive(Clone)]
pub struct Run {
    pub image: Image,
    pub deb: PathBuf,
    pub dir: PathBuf,
    pub key: SshKey,
    /// KVM where a real one boots the image's kernel, else TCG.
    pub accel: Accel,
    /// The design broken on purpose (`--break`), to see a proof fail.
    pub broken: Option<Break>,
}

impl Run {
    /// The VM numbered `index` with this run's accelerator.
    pub fn spec(&self, index: u8) -> VmSpec {
        VmSpec::new(index).with_accel(self.accel)
    }

    /// Boots `spec` in `lab` and says so; see [`Vm::wait_for_ssh`].
    pub fn boot(&self, lab: &Lab, spec: &VmSpec) -> Result<Vm, String> {
        let vm =
            Vm::boot(&self.image, lab, &self.key, &self.dir, spec).map_err(|e| e.to_string())?;
        println!(
            "  booting vm{} at {} (qemu pid {}, {}) in namespace {}",
            spec.index,
            lab.address(spec.index),
            vm.pid(),
            spec.accel.name(),
            lab.name()
        );
        Ok(vm)
    }

    /// The same run in `dir/NAME`, so that suites do not share files.
    pub fn for_suite(&self, name: &str) -> Result<Self, String> {
        let dir = self.dir.join(name);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Self {
            dir,
            ..self.clone()
        })
    }
}

/// A way to break the design on purpose: the proof that catches it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Break {
    /// aio.service without `Before=docker.service`.
    UnitOrder,
    /// NAT out of an interface the host does not have.
    NatOut,
}

impl Break {
    pub fn parse(name: &str) -> Result<Self, String> {
        match name {
            "unit-order" => Ok(Self::UnitOrder),
            "nat-out" => Ok(Self::NatOut),
            _ => Err(format!(
                "no way to break named {name}: unit-order or nat-out"
            )),
        }
    }
}
