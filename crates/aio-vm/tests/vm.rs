//! One real VM under TCG: it boots to SSH, powers off through systemd
//! (QEMU exits by itself), and the run leaves no QEMU, namespace or overlay
//! behind. Needs root and the cached image (`cargo xtask vm` builds it);
//! a few minutes on a loaded host, so run with `--ignored`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use aio_sandbox::namespaces_starting;
use aio_vm::{Image, Lab, LabNet, Recipe, SshKey, Vm, VmSpec};

const BOOT: Duration = Duration::from_secs(400);
const POWER_OFF: Duration = Duration::from_secs(180);

/// Whether process `pid` runs (a zombie does not).
fn alive(pid: u32) -> bool {
    !aio_sandbox::process::alive(|dir, _| dir.ends_with(pid.to_string())).is_empty()
}

#[test]
#[ignore = "boots a real VM: minutes under TCG"]
fn a_vm_powers_off_through_systemd_and_leaves_nothing_behind() {
    let image = Image::cached(&Recipe::debian12()).unwrap_or_else(|| {
        panic!(
            "no image of this recipe in {} (cargo xtask vm builds it)",
            aio_vm::CACHE
        )
    });
    let dir = tempfile::Builder::new()
        .prefix("aio-vm-test.")
        .tempdir()
        .unwrap();
    let ssh_key = SshKey::generate(dir.path()).unwrap();
    let lab = Lab::create("poweroff", LabNet::MANAGEMENT).unwrap();
    let namespace = lab.name().to_string();
    let mut vm = Vm::boot(&image, &lab, &ssh_key, dir.path(), &VmSpec::new(0)).unwrap();
    let pid = vm.pid();
    let overlay = vm.overlay().to_path_buf();
    assert!(overlay.starts_with(dir.path()));

    let booted = vm.wait_for_ssh(BOOT).unwrap();
    eprintln!("SSH answered in {:.1} s", booted.as_secs_f64());
    assert!(vm.is_running());
    let took = vm.power_off(POWER_OFF).unwrap();
    eprintln!("powered off in {:.1} s", took.as_secs_f64());
    assert!(!vm.is_running());
    assert!(!alive(pid), "QEMU (PID {pid}) still runs after power-off");
    let console = std::fs::read_to_string(vm.console()).unwrap();
    assert!(console.contains("reboot: Power down"), "{console}");

    drop(vm);
    drop(lab);
    drop(dir);
    assert!(!namespaces_starting(&namespace).contains(&namespace));
    assert!(!overlay.exists(), "{} is left", overlay.display());
}
