//! The flag a caller's signal handler sets to end every wait.

use std::sync::atomic::AtomicBool;

/// Set (by a signal handler of the caller) to stop every wait at its next
/// poll with [`crate::VmError::Interrupted`], so that the VMs and the lab
/// are dropped and cleaned up as on any failure.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);
