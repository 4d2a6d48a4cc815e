//! Whether KVM works here: the image's kernel is booted under `-accel kvm`
//! for a few seconds, without disk or network, to the point where it runs
//! its init. A `/dev/kvm` may be there and still not run a stock kernel
//! (a paravirtual KVM prints nothing at all), so only a kernel that got
//! that far counts; anything else means TCG.

use std::fmt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Image;
use crate::qemu_child::QemuChild;
use crate::spec::Accel;

/// The device a KVM needs.
const KVM_DEVICE: &str = "/dev/kvm";
/// How long a probe waits for the kernel.
#[derive(Debug, Clone, Copy)]
struct Patience {
    /// A console still empty this long after the start: the kernel never ran.
    silent: Duration,
    /// The kernel has not reached its init by then: it will not.
    deadline: Duration,
}

/// Under a working KVM the kernel prints within a second and reaches its
/// init in a second or two; a loaded host gets ten times that.
const KVM: Patience = Patience {
    silent: Duration::from_secs(10),
    deadline: Duration::from_secs(20),
};
/// How often the console is read.
const EVERY: Duration = Duration::from_millis(200);
/// What the kernel prints when it hands over to its init.
const REACHED_INIT: &[&str] = &[" as init process", "Freeing unused kernel"];
/// The init of the probe: it exits at once, the kernel panics and reboots,
/// and QEMU (`-no-reboot`) exits.
const CMDLINE: &str = "console=ttyS0 panic=-1 rdinit=/bin/false";

/// What the probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// There is no `/dev/kvm`.
    NoDevice,
    /// The kernel under KVM reached its init.
    ReachedInit,
    /// The kernel printed nothing within 10 s.
    Silent,
    /// The kernel started but did not reach its init within 20 s.
    Stuck,
    /// QEMU exited before the kernel reached its init; QEMU's last words.
    QemuExited(String),
    /// QEMU could not be started.
    NotStarted(String),
}

/// The accelerator to use and why, with the probe's duration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probed {
    pub accel: Accel,
    pub finding: Finding,
    pub took: Duration,
}

impl Accel {
    /// KVM when the image's kernel runs under it to its init, else TCG.
    /// Takes up to 20 s (10 s when the kernel prints nothing); the probe's
    /// QEMU is killed by its PID before this returns.
    pub fn probe(image: &Image) -> Probed {
        let started = Instant::now();
        let finding = if Path::new(KVM_DEVICE).exists() {
            boot_to_init(image, Accel::Kvm, KVM)
        } else {
            Finding::NoDevice
        };
        Probed {
            accel: accel_for(&finding),
            finding,
            took: started.elapsed(),
        }
    }
}

fn accel_for(finding: &Finding) -> Accel {
    match finding {
        Finding::ReachedInit => Accel::Kvm,
        _ => Accel::Tcg,
    }
}

/// Boots the image's kernel under `accel` until it runs its init (or
/// prints nothing for a while, or the deadline passes), then kills QEMU.
fn boot_to_init(image: &Image, accel: Accel, patience: Patience) -> Finding {
    let dir = match tempfile::Builder::new().prefix("aio-vm-probe.").tempdir() {
        Ok(dir) => dir,
        Err(e) => return Finding::NotStarted(e.to_string()),
    };
    let console = dir.path().join("console.log");
    let stderr = dir.path().join("qemu.log");
    let log = match std::fs::File::create(&stderr) {
        Ok(log) => log,
        Err(e) => return Finding::NotStarted(format!("{}: {e}", stderr.display())),
    };
    let mut qemu = match QemuChild::spawn(
        Command::new("qemu-system-x86_64")
            .args(probe_args(image, accel, &console))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log),
    ) {
        Ok(qemu) => qemu,
        Err(e) => return Finding::NotStarted(e.to_string()),
    };
    let started = Instant::now();
    let finding = loop {
        let exited = qemu.exited().is_some();
        let text = std::fs::read_to_string(&console).unwrap_or_default();
        if let Some(finding) = judge(&text, started.elapsed(), exited, patience) {
            break finding;
        }
        std::thread::sleep(EVERY);
    };
    qemu.kill();
    match finding {
        Finding::QemuExited(_) => {
            let said = std::fs::read_to_string(&stderr).unwrap_or_default();
            Finding::QemuExited(said.trim().lines().last().unwrap_or_default().to_string())
        }
        finding => finding,
    }
}

/// What the console's `text` says after `waited`, QEMU having `exited` or
/// not; `None`: wait on.
fn judge(text: &str, waited: Duration, exited: bool, patience: Patience) -> Option<Finding> {
    if REACHED_INIT.iter().any(|line| text.contains(line)) {
        Some(Finding::ReachedInit)
    } else if exited {
        Some(Finding::QemuExited(String::new()))
    } else if text.trim().is_empty() && waited >= patience.silent {
        Some(Finding::Silent)
    } else if waited >= patience.deadline {
        Some(Finding::Stuck)
    } else {
        None
    }
}

/// QEMU's arguments for the probe: the kernel and initrd only, no disk, no
/// network, the console to `console`, exit instead of rebooting.
fn probe_args(image: &Image, accel: Accel, console: &Path) -> Vec<String> {
    let mut args: Vec<String> = [
        "-nodefaults",
        "-no-user-config",
        "-display",
        "none",
        "-no-reboot",
        "-nic",
        "none",
        "-m",
        "512",
        "-smp",
        "1",
    ]
    .map(String::from)
    .to_vec();
    args.push("-accel".into());
    args.push(accel.name().into());
    args.push("-serial".into());
    args.push(format!("file:{}", console.display()));
    args.push("-kernel".into());
    args.push(image.kernel().display().to_string());
    args.push("-initrd".into());
    args.push(image.initrd().display().to_string());
    args.push("-append".into());
    args.push(CMDLINE.into());
    args
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoDevice => write!(f, "there is no {KVM_DEVICE}"),
            Self::ReachedInit => write!(f, "a kernel under KVM reached its init"),
            Self::Silent => write!(
                f,
                "a kernel under KVM printed nothing in {} s",
                KVM.silent.as_secs()
            ),
            Self::Stuck => write!(
                f,
                "a kernel under KVM did not reach its init in {} s",
                KVM.deadline.as_secs()
            ),
            Self::QemuExited(said) => write!(f, "QEMU with KVM exited: {said}"),
            Self::NotStarted(why) => write!(f, "QEMU could not be started: {why}"),
        }
    }
}

impl fmt::Display for Probed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}; probed in {:.1} s)",
            self.accel.name(),
            self.finding,
            self.took.as_secs_f64()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Recipe;

    const S: fn(u64) -> Duration = Duration::from_secs;

    /// The end of a real console of the probe's kernel (under TCG).
    const REACHED: &str = "\
[    6.557376] Freeing unused kernel image (initmem) memory: 2820K
[    7.035105] Run /bin/false as init process
[    7.046496] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100
";
    const EARLY: &str = "\
[    0.000000] Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org)
[    0.000000] Command line: console=ttyS0 panic=-1 rdinit=/bin/false
";

    #[test]
    fn a_kernel_that_reaches_its_init_means_kvm() {
        let finding = judge(REACHED, S(2), false, KVM);
        assert_eq!(finding, Some(Finding::ReachedInit));
        assert_eq!(accel_for(&Finding::ReachedInit), Accel::Kvm);
        // Even when QEMU has exited since (the probe's init panics at once).
        assert_eq!(judge(REACHED, S(3), true, KVM), Some(Finding::ReachedInit));
    }

    #[test]
    fn a_silent_console_means_tcg_after_a_while_not_at_once() {
        assert_eq!(judge("", S(1), false, KVM), None);
        assert_eq!(judge("", KVM.silent, false, KVM), Some(Finding::Silent));
        assert_eq!(accel_for(&Finding::Silent), Accel::Tcg);
    }

    #[test]
    fn a_kernel_that_starts_gets_until_the_deadline() {
        assert_eq!(judge(EARLY, KVM.silent, false, KVM), None);
        assert_eq!(judge(EARLY, KVM.deadline, false, KVM), Some(Finding::Stuck));
        assert_eq!(accel_for(&Finding::Stuck), Accel::Tcg);
    }

    #[test]
    fn qemu_exiting_before_init_means_tcg() {
        let finding = judge(EARLY, S(1), true, KVM);
        assert!(matches!(finding, Some(Finding::QemuExited(_))));
        assert_eq!(accel_for(&Finding::QemuExited(String::new())), Accel::Tcg);
        assert_eq!(
            accel_for(&Finding::NoDevice),
            accel_for(&Finding::NotStarted(String::new()))
        );
    }

    #[test]
    fn the_probe_boots_only_the_kernel_under_kvm_and_exits_on_reboot() {
        let image = Image::located(&Recipe::debian12(), Path::new(crate::CACHE));
        let args = probe_args(&image, Accel::Kvm, Path::new("/tmp/p/console.log"));
        let line = args.join(" ");
        assert!(line.contains("-accel kvm"), "{line}");
        assert!(line.contains("-no-reboot"), "{line}");
        assert!(line.contains("-serial file:/tmp/p/console.log"), "{line}");
        assert!(
            line.contains(&format!("-kernel {}", image.kernel().display())),
            "{line}"
        );
        assert!(!line.contains("-drive"), "{line}");
        assert!(!line.contains("-netdev"), "{line}");
        assert!(line.contains(&format!("-append {CMDLINE}")), "{line}");
    }

    /// The one way to KVM, walked under TCG, which runs everywhere: the
    /// real kernel's console, read while it boots, shows it reached its init.
    #[test]
    #[ignore = "boots a real kernel: up to minutes under TCG"]
    fn a_real_kernel_reaching_its_init_is_seen_on_its_console() {
        let Some(image) = Image::cached_kernel(&Recipe::debian12()) else {
            eprintln!("skipped: no image in {}", crate::CACHE);
            return;
        };
        // TCG on a loaded host may print nothing for a minute.
        let patient = Patience {
            silent: Duration::from_secs(180),
            deadline: Duration::from_secs(180),
        };
        let finding = boot_to_init(&image, Accel::Tcg, patient);
        assert_eq!(finding, Finding::ReachedInit);
    }
}
