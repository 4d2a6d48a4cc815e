//! `aio doctor`: the data paths a topology implies, walked hop by hop.
//!
//! The topology already knows each hop: the uplink, forwarding, the NAT
//! rule, the outside bridge (`dummy1`), its veth pair into the physnet
//! bridge (`br-ex`), OVN's bridge mapping and gateway chassis, Neutron's
//! external network; and Octavia's way from `lb-mgmt-net` over the OVS
//! port's VLAN to the health manager's interface. [`examine`] checks each
//! in order:
//!
//! - what the topology declares, by the statuses of one aio plan, so
//!   doctor and `aio plan` never disagree (links, masters, MTUs,
//!   addresses, NAT, sysctls, OVS ports and tags, Neutron's objects);
//! - what Kolla and OVN set, read from Open vSwitch (`switch`): the
//!   port Kolla adds to the physnet bridge, `ovn-bridge-mappings`,
//!   `ovn-cms-options`, interfaces OVS could not open;
//! - what only traffic shows, by a probe plugged into the outside bridge
//!   from a namespace of its own (`probe`): the uplink's gateway through
//!   NAT, full-size packets with DF, Octavia's VLAN through the physnet
//!   bridge.
//!
//! Doctor changes no configuration: the probe's namespace and veth pair
//! go when it ends, however it ends; the neighbour entries its addresses
//! leave in the host are deleted when it ends, and left to the kernel's
//! cache if it is killed.
//! The [`Report`] is data; the first broken hop and its fix are its
//! [`Report::verdict`].

mod design;
mod judge;
mod paths;
mod probe;
mod report;
mod switch;

use std::time::Instant;

use aio_engine::statuses;
use aio_host::{Host, HostError};

pub use design::Design;
pub use report::{Hop, PathReport, Report, Verdict};
pub use switch::Switch;

#[derive(Debug, thiserror::Error)]
pub enum DoctorError {
    /// The topology could not be planned against the host.
    #[error(transparent)]
    Host(#[from] HostError),
}

/// Walks every path `host`'s topology implies. `apply` is the command
/// that applies the topology, as the operator runs it (for the fixes).
pub async fn examine(host: &Host, apply: &str) -> Result<Report, DoctorError> {
    let start = Instant::now();
    let plan = host.plan().await?;
    let all = statuses(host.desired(), &plan);
    let topology = host.topology();
    let design = Design::of(topology, host.facts());
    let switch = match &topology.ovs {
        Some(ovs) => Some(Switch::read(&ovs.db).await),
        None => None,
    };
    let mut taken = topology.declared_ipv4();
    taken.extend(host.facts().vip);
    let netns = host.target().netns.as_deref();
    let mut probed = probe::run(&design, netns, &taken).await;
    let locate = |id: &aio_engine::ResourceId| host.locate(id);
    let conflicts = |id: &aio_engine::ResourceId| {
        let mut only = plan.clone();
        only.conflicts.retain(|c| &c.id == id);
        host.located_conflicts(&only)
    };
    let judge = judge::Judge {
        statuses: &all,
        apply: apply.to_string(),
        locate: &locate,
        conflicts: &conflicts,
    };
    let sources = paths::Sources {
        topology,
        design: &design,
        judge: &judge,
        switch: switch.as_ref(),
    };
    let mut report = Report {
        paths: Vec::new(),
        notes: Vec::new(),
        took: start.elapsed(),
    };
    if let Some(ext) = &design.external {
        report
            .paths
            .push(paths::external(&sources, ext, &mut probed));
    } else {
        report.notes.push(
            "no outside network to walk: neutron_external_interface is not a veth whose peer is in a bridge with an address"
                .into(),
        );
    }
    if let Some(o) = &design.octavia {
        report.paths.push(paths::octavia(&sources, o, &mut probed));
    }
    if topology.neutron.is_none() {
        report.notes.push(
            "Neutron's view is not read: the topology has no [neutron] section (add [neutron.external_network] to have aio keep public1)"
                .into(),
        );
    }
    report.took = start.elapsed();
    Ok(report)
}
