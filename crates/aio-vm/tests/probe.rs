//! The KVM probe on this machine: it answers within its deadline and leaves
//! no QEMU behind, whatever it finds. Needs the cached image (`cargo xtask
//! vm` builds it); without it the test says so and does nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::Duration;

use aio_vm::{Accel, Finding, Image, Recipe};

/// This test's children whose command line names a probe's directory.
fn probe_qemus() -> Vec<String> {
    let me = std::process::id().to_string();
    aio_sandbox::process::alive(|dir, fields| {
        fields.get(1) == Some(&me.as_str())
            && std::fs::read(dir.join("cmdline"))
                .is_ok_and(|line| String::from_utf8_lossy(&line).contains("aio-vm-probe."))
    })
}

#[test]
fn the_probe_decides_within_its_deadline_and_leaves_no_qemu() {
    let Some(image) = Image::cached_kernel(&Recipe::debian12()) else {
        eprintln!(
            "skipped: no image in {} (cargo xtask vm builds it)",
            aio_vm::CACHE
        );
        return;
    };
    let probed = Accel::probe(&image);
    eprintln!("probe: {probed}");
    assert!(probed.took < Duration::from_secs(30), "{probed}");
    assert_eq!(
        probed.accel == Accel::Kvm,
        probed.finding == Finding::ReachedInit
    );
    if !Path::new("/dev/kvm").exists() {
        assert_eq!(probed.finding, Finding::NoDevice);
    }
    assert_eq!(probe_qemus(), Vec::<String>::new());
}
