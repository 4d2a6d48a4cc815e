//! The VM suites in `cargo xtask ci`: the image is prepared while the
//! workspace builds ([`prepare`]), then the suites run in a child
//! `xtask vm` beside the workspace's tests ([`Suites::start`]): both spend
//! much of their time waiting (on SSH, reboots, timeouts), so together
//! they take far less than one after the other. The child's output goes
//! to a log that is printed whole when it ends, not mixed with the tests'.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use super::tools;

/// How [`prepare`] went.
pub enum Prepared {
    Ready,
    /// QEMU cannot be installed or started: no VM can run here.
    Unusable(String),
    /// It could run, but preparing failed (the image, the network).
    Failed(String),
}

/// What `cargo xtask ci` starts in the background while the workspace
/// builds: QEMU and mmdebstrap installed, and the image built when it is
/// not cached. Its line says what it found or took.
pub fn prepare() -> Prepared {
    if let Err(why) = tools::usable() {
        return Prepared::Unusable(why);
    }
    match tools::image() {
        Ok((_, said)) => {
            println!("xtask ci: the VM image, prepared beside the tests: {said}");
            Prepared::Ready
        }
        Err(why) => Prepared::Failed(why),
    }
}

/// The suites running in a child `xtask vm`, or why none runs.
pub enum Suites {
    Running {
        child: Child,
        log: PathBuf,
    },
    /// Skipped, saying why (QEMU cannot run here, outside CI).
    Skipped(String),
}

impl Suites {
    /// Starts every suite with the package `cargo xtask dist` just made,
    /// once [`prepare`] said how it went. A machine where QEMU cannot run
    /// at all skips them, except in CI (`CI=true`), where that is a
    /// failure.
    pub fn start(prepared: Prepared) -> Result<Self, String> {
        match prepared {
            Prepared::Ready => {}
            Prepared::Failed(why) => {
                return Err(format!("the VM suites could not be prepared: {why}"));
            }
            Prepared::Unusable(why) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                return Err(format!("the VM suites cannot run in CI: {why}"));
            }
            Prepared::Unusable(why) => return Ok(Self::Skipped(why)),
        }
        let deb = tools::dist_package()?;
        let log = crate::shell::root().join("target/vm-suites.log");
        let file = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = file.try_clone().map_err(|e| e.to_string())?;
        let me = std::env::current_exe().map_err(|e| format!("xtask's own path: {e}"))?;
        println!(
            "$ cargo xtask vm --deb {}   (beside the tests; its output: {})",
            deb.display(),
            log.display()
        );
        let child = Command::new(me)
            .arg("vm")
            .arg("--deb")
            .arg(&deb)
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("xtask vm: {e}"))?;
        Ok(Self::Running { child, log })
    }

    /// Waits for the suites, prints what they said, and fails when they did.
    pub fn finish(self) -> Result<(), String> {
        let (mut child, log) = match self {
            Self::Skipped(why) => {
                println!("xtask ci: SKIPPED the VM suites (real boots): {why}");
                return Ok(());
            }
            Self::Running { child, log } => (child, log),
        };
        let status = child.wait().map_err(|e| format!("xtask vm: {e}"))?;
        println!("$ cargo xtask vm   (ran beside the tests)");
        // Copied as it is, not read into memory whole.
        match std::fs::File::open(&log) {
            Ok(mut said) => {
                let _ = std::io::copy(&mut said, &mut std::io::stdout().lock());
            }
            Err(e) => println!("({}: {e})", log.display()),
        }
        if status.success() {
            Ok(())
        } else {
            Err(format!("the VM suites failed ({status})"))
        }
    }
}
