//! Real Debian 12 VMs under QEMU, for the proofs a network namespace cannot
//! give: a package installed by `apt-get`, a unit started by systemd, a real
//! reboot.
//!
//! - [`Recipe`]: what the image holds (its packages, suite, mirror, hooks)
//!   and its [`ImageKey`], a digest of all of it.
//! - [`Image`]: built once with `mmdebstrap` from Debian's archive into an
//!   ext4 disk, kept as a compressed qcow2 base with the kernel and initrd
//!   beside it for direct boot, under `/var/cache/aio/vm/KEY/`. The cached
//!   files are only ever read.
//! - [`Lab`]: a network namespace the harness creates, with a bridge for
//!   the VMs' network ([`LabNet`]) and the host side at its gateway; every VM
//!   reaches it through a tap device inside it. The root namespace is never
//!   touched. Dropping it deletes the namespace (and the taps with it).
//! - [`Vm`]: one QEMU (TCG unless told otherwise) with a per-run
//!   copy-on-write qcow2 overlay, the serial console logged to a file, and
//!   the per-run ed25519 key handed over on the kernel command line
//!   (with `ip=` for its address). [`Vm::reboot`] and [`Vm::power_off`] go through
//!   systemd in the VM; dropping it kills the QEMU by its PID. What it gets is a
//!   [`VmSpec`]; its files and QEMU's arguments are pure functions of it,
//!   checked without running QEMU. [`INTERRUPTED`] ends every wait, so that a
//!   Ctrl-C cleans up as a failure does.
//! - [`Ssh`]: commands and copies into a VM from inside the namespace, each
//!   with a deadline ([`SSH_DEADLINE`] unless told otherwise), so that a
//!   command that blocks fails the run instead of hanging it.
//!
//! Everything a run makes lives in one temporary directory that goes with
//! it; namespaces of interrupted runs are swept by [`Lab::sweep_stale`].
//! QEMU is started through `aio_child`, so that it dies with the harness.
//!
//! TCG is the default. [`Accel::probe`] says whether KVM works: a
//! `/dev/kvm` counts only when the image's kernel runs under it to its init
//! (a paravirtual `/dev/kvm` may not run a stock kernel at all).

mod cmdline;
mod error;
mod image;
mod interrupt;
pub mod lab;
mod probe;
mod process;
mod qemu;
mod qemu_child;
mod recipe;
mod spec;
mod ssh;
mod vm;

pub use cmdline::MGMT_IF;
pub use error::VmError;
pub use image::{CACHE, Image, Obtained};
pub use interrupt::INTERRUPTED;
pub use lab::{Lab, LabNet};
pub use probe::{Finding, Probed};
pub use recipe::{ImageKey, Recipe};
pub use spec::{Accel, VmSpec};
pub use ssh::{SSH_DEADLINE, Ssh, SshKey};
pub use vm::Vm;
