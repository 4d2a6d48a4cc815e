//! What one VM gets: its number in the lab, memory, CPUs, accelerator.

/// How QEMU runs the guest's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accel {
    /// Software emulation: works everywhere, slowly.
    Tcg,
    /// The host's KVM, when a real one works.
    Kvm,
}

/// What one VM gets.
#[derive(Debug, Clone)]
pub struct VmSpec {
    /// Its number in the lab: its tap, address and MAC follow from it.
    pub index: u8,
    pub memory_mib: u32,
    pub cpus: u8,
    pub accel: Accel,
}

impl VmSpec {
    /// 1 GiB, 2 CPUs, TCG: pass a probed accelerator with
    /// [`VmSpec::with_accel`].
    pub fn new(index: u8) -> Self {
        Self {
            index,
            memory_mib: 1024,
            cpus: 2,
            accel: Accel::Tcg,
        }
    }

    /// The same spec on `accel` (for example [`Accel::probe`]'s).
    pub fn with_accel(self, accel: Accel) -> Self {
        Self { accel, ..self }
    }
}

impl Accel {
    /// QEMU's name for it (`-accel NAME`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Tcg => "tcg",
            Self::Kvm => "kvm",
        }
    }
}
