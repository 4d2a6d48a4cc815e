//! Namespace lifecycle: every network namespace a run needs made before
//! the first measurement (uplink `up0` with an address and a default route,
//! IPv6 off), and all deleted together when dropped, also after a failure
//! or Ctrl-C. The machine's own network namespace is never touched.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use aio_sandbox::{delete_namespace, namespaces_starting};

use super::error::BenchError;
use super::inputs;
use super::measure::quiet;
use super::tools::{Tool, ip_batch};

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

/// Deletes the namespaces an interrupted earlier run left, and gives the
/// kernel time to free their links.
fn remove_leftovers() {
    let old = namespaces_starting(PREFIX);
    if old.is_empty() {
        return;
    }
    println!("deleting {} namespaces an earlier run left", old.len());
    for name in &old {
        delete_namespace(name);
    }
    std::thread::sleep(Duration::from_secs(10));
}
