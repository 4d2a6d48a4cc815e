//! What a test of the control plane needs around it: whether it may run
//! here, and the sandbox host with OVS and OVN that the cloud talks to.

use std::time::{Duration, Instant};

use super::{Cloud, NeutronSettings, OvnEndpoints, available};
use crate::Sandbox;
use crate::ovn::Ovn;
use crate::ovs::{Ovsdb, Vswitchd};

/// Whether a test of the cloud goes on: the venv and MariaDB are there
/// (true), or the test command said why they are not (false, said on
/// stderr); otherwise it fails with the reason.
pub fn tests_may_run() -> bool {
    match (available(), std::env::var("AIO_TEST_NO_OPENSTACK_VENV")) {
        (Ok(()), _) => true,
        (Err(why), Ok(reason)) => {
            eprintln!("skipped: {why} ({reason})");
            false
        }
        (Err(why), Err(_)) => panic!("{why}"),
    }
}

/// A sandbox host (`name`) with ovsdb-server, ovs-vswitchd and OVN
/// (physnet1 on br-ex), and the cloud on them. Destructure it to drop
/// the parts in an order of the test's own; the fields are in the order
/// that is safe (the cloud first, the host last).
pub struct Stack {
    pub cloud: Cloud,
    pub ovn: Ovn,
    pub vswitchd: Vswitchd,
    pub ovsdb: Ovsdb,
    pub host: Sandbox,
    /// How long the cloud took to start.
    pub cloud_started_in: Duration,
}

impl Stack {
    pub fn start(name: &str, settings: &NeutronSettings) -> Stack {
        let host = Sandbox::new(name);
        let ovsdb = Ovsdb::start(&[]);
        let vswitchd = Vswitchd::start(&host.ns, &ovsdb);
        let ovn = Ovn::start(&host.ns, &ovsdb, "192.0.2.10", "physnet1:br-ex");
        let endpoints = OvnEndpoints {
            nb: ovn.nb(),
            sb: ovn.sb(),
        };
        let started = Instant::now();
        let cloud = Cloud::start(&host.ns, &endpoints, settings).unwrap_or_else(|e| panic!("{e}"));
        Stack {
            cloud,
            ovn,
            vswitchd,
            ovsdb,
            host,
            cloud_started_in: started.elapsed(),
        }
    }
}
