//! Namespace lifecycle: every network namespace a run needs made before
//! the first measurement (uplink `up0` with an address and a default route,
//! IPv6 off), and all deleted together when dropped, also after a failure
//! or Ctrl-C. The machine's own network namespace is never touched.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use aio_sandbox::{delete_namespace, namespaces_starting};

use super::error::BenchError;
use super::inputs;
use super::measure::quiet;
use super::tools::{Tool, ip_batch};

/// A request that takes the kernel's RTNL lock answering within this...
const QUICK: Duration = Duration::from_millis(25);
/// ...this many times in a row: the kernel has nothing left to do.
const QUICK_IN_A_ROW: usize = 5;
/// The longest the kernel may take to settle before the bench gives up.
const SETTLE_AT_MOST: Duration = Duration::from_secs(900);

/// Every namespace the bench makes starts with this.
const PREFIX: &str = "aio-bench-";
/// The namespace aio's OVS runs take their facts from.
pub const OVS: &str = "aio-bench-ovs";

/// The namespace `tool` fills in run `run` at size `n`: `aio-bench-N-{a,i,n}RUN`.
pub fn name(n: usize, tool: Tool, run: usize) -> String {
    let tag = match tool {
        Tool::Aio => 'a',
        Tool::Ip => 'i',
        Tool::Nmstatectl => 'n',
        // ovs-vsctl talks to a database, in no namespace of its own.
        Tool::VsctlPerPort | Tool::VsctlOneCall => 'o',
    };
    format!("{PREFIX}{n}-{tag}{run}")
}

/// The namespace `aio watch` keeps converged at size `n`.
pub fn watch(n: usize) -> String {
    format!("{PREFIX}{n}-w")
}

/// The namespaces of one bench, deleted when dropped.
pub struct Namespaces(Vec<String>);

impl Namespaces {
    /// Removes what an interrupted earlier run left, then makes `names`,
    /// each given its uplink by the `ip -batch` file written into `work`.
    pub fn create(names: Vec<String>, work: &Path) -> Result<Namespaces, BenchError> {
        remove_leftovers();
        let base = work.join("base.batch");
        std::fs::write(&base, inputs::base()).map_err(BenchError::file(&base))?;
        let mut made = Namespaces(Vec::new());
        for name in names {
            quiet(Command::new("ip").args(["netns", "add", &name]))?;
            made.0.push(name.clone());
            quiet(&mut ip_batch(&name, &base))?;
            quiet(
                Command::new("ip")
                    .args(["netns", "exec", &name, "sysctl", "-q", "-w"])
                    .args([
                        "net.ipv6.conf.all.disable_ipv6=1",
                        "net.ipv6.conf.default.disable_ipv6=1",
                    ]),
            )?;
        }
        Ok(made)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for name in &self.0 {
            delete_namespace(name);
        }
    }
}

/// Deletes the namespaces an interrupted earlier run left (the kernel
/// frees their links meanwhile: see [`settle`]).
fn remove_leftovers() {
    let old = namespaces_starting(PREFIX);
    if old.is_empty() {
        return;
    }
    println!("deleting {} namespaces an earlier run left", old.len());
    for name in &old {
        delete_namespace(name);
    }
}

/// Waits until the kernel has done what came before, so that none of it
/// is billed to a measurement: freeing the links of deleted namespaces
/// (tens of thousands take it minutes, all under its RTNL lock), the
/// carrier changes after thousands of links were made. Settled is when a
/// request that takes that lock (`ip link set lo up` in namespace `ns`)
/// answers quickly several times in a row. How long it took.
pub fn settle(ns: &str) -> Result<Duration, BenchError> {
    let began = Instant::now();
    let mut quick = 0;
    while quick < QUICK_IN_A_ROW {
        if began.elapsed() > SETTLE_AT_MOST {
            return Err(BenchError::Task(format!(
                "the kernel was still busy after {SETTLE_AT_MOST:?}: \
                 `ip link set lo up` in {ns} took over {QUICK:?}"
            )));
        }
        let asked = Instant::now();
        quiet(Command::new("ip").args(["-n", ns, "link", "set", "lo", "up"]))?;
        quick = if asked.elapsed() <= QUICK {
            quick + 1
        } else {
            0
        };
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(began.elapsed())
}
