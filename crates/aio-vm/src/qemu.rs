//! A VM's files in the run's directory and QEMU's command line: pure, so
//! that what a VM may touch is checked without running QEMU.

use std::path::{Path, PathBuf};

use crate::Image;
use crate::cmdline::KernelCmdline;
use crate::spec::VmSpec;

/// What one VM writes, all in the run's directory: never the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmFiles {
    /// The copy-on-write disk on the image's base.
    pub overlay: PathBuf,
    /// The serial console.
    pub console: PathBuf,
    /// QEMU's own stdout and stderr.
    pub qemu_log: PathBuf,
}

impl VmFiles {
    pub fn new(dir: &Path, index: u8) -> Self {
        Self {
            overlay: dir.join(format!("vm{index}.qcow2")),
            console: dir.join(format!("vm{index}.console.log")),
            qemu_log: dir.join(format!("vm{index}.qemu.log")),
        }
    }
}

/// QEMU's arguments: direct boot of the image's kernel on the overlay, the
/// console to a file, one NIC on the lab's `tap`, no other device.
pub fn qemu_args(
    spec: &VmSpec,
    image: &Image,
    files: &VmFiles,
    tap: &str,
    cmdline: &KernelCmdline,
) -> Vec<String> {
    let mut args: Vec<String> = ["-nodefaults", "-no-user-config", "-display", "none"]
        .map(String::from)
        .to_vec();
    let mut pair = |flag: &str, value: String| {
        args.push(flag.to_string());
        args.push(value);
    };
    pair("-accel", spec.accel.name().into());
    pair("-m", spec.memory_mib.to_string());
    pair("-smp", spec.cpus.to_string());
    pair("-serial", format!("file:{}", files.console.display()));
    pair(
        "-drive",
        format!(
            "file={},if=virtio,format=qcow2,discard=unmap",
            files.overlay.display()
        ),
    );
    pair("-kernel", image.kernel().display().to_string());
    pair("-initrd", image.initrd().display().to_string());
    pair("-append", cmdline.render());
    pair(
        "-netdev",
        format!("tap,id=mgmt,ifname={tap},script=no,downscript=no"),
    );
    pair(
        "-device",
        format!(
            "virtio-net-pci,netdev=mgmt,mac=52:54:00:a1:00:{:02x}",
            spec.index
        ),
    );
    pair("-device", "virtio-rng-pci".into());
    args
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;
    use crate::Recipe;

    fn image() -> Image {
        Image::located(&Recipe::debian12(), Path::new(crate::CACHE))
    }

    fn cmdline() -> KernelCmdline {
        KernelCmdline {
            hostname: "aio-vm-0".into(),
            address: Ipv4Addr::new(192, 168, 100, 10),
            prefix: 24,
            gateway: Ipv4Addr::new(192, 168, 100, 1),
            ssh_ed25519: "KEY".into(),
        }
    }

    #[test]
    fn a_vm_writes_only_in_the_run_directory_one_set_of_files_each() {
        let run = Path::new("/tmp/aio-vm-run.x");
        let first = VmFiles::new(run, 0);
        let second = VmFiles::new(run, 1);
        for file in [
            &first.overlay,
            &first.console,
            &first.qemu_log,
            &second.overlay,
        ] {
            assert_eq!(file.parent(), Some(run), "{}", file.display());
        }
        assert_ne!(first.overlay, second.overlay);
        assert_ne!(first.console, second.console);
    }

    #[test]
    fn qemu_boots_the_overlay_not_the_base_and_uses_only_the_tap() {
        let image = image();
        let files = VmFiles::new(Path::new("/tmp/run"), 0);
        let args = qemu_args(&VmSpec::new(0), &image, &files, "tap0", &cmdline());
        let line = args.join(" ");
        assert!(line.contains("-drive file=/tmp/run/vm0.qcow2,"), "{line}");
        assert!(
            !line.contains(&image.base().display().to_string()),
            "{line}"
        );
        let netdevs: Vec<&String> = args
            .iter()
            .zip(args.iter().skip(1))
            .filter(|(flag, _)| *flag == "-netdev")
            .map(|(_, value)| value)
            .collect();
        assert_eq!(
            netdevs,
            ["tap,id=mgmt,ifname=tap0,script=no,downscript=no"],
            "{line}"
        );
        assert!(line.contains("-nodefaults"), "{line}");
    }

    #[test]
    fn tcg_is_the_default_accelerator() {
        let args = qemu_args(
            &VmSpec::new(0),
            &image(),
            &VmFiles::new(Path::new("/tmp/run"), 0),
            "tap0",
            &cmdline(),
        );
        let at = args.iter().position(|a| a == "-accel");
        assert_eq!(
            at.and_then(|i| args.get(i + 1)).map(String::as_str),
            Some("tcg")
        );
    }
}
