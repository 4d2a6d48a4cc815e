//! `aio doctor` in the VM: a real kernel, Open vSwitch's kernel datapath
//! and systemd. Doctor reads the reference with its `[kolla]` table (Kolla
//! names the paths: `neutron_external_interface`, `octavia_network_interface`,
//! OVN); the VM stands in for Kolla's deploy where doctor looks (`veth-ovs`
//! on `br-ex`, OVN's bridge mapping and gateway chassis, as Kolla's
//! openvswitch and ovn-controller roles set them). aio.service is stopped
//! meanwhile, or it would repair each breakage before doctor sees it.

use aio_vm::Ssh;

use super::super::remote::{Proof, must, said, write_topology};
use super::super::topology::{OVS_BRIDGE, OVS_PORT, PATH, VETH};

/// The topology doctor reads: the reference, Kolla's actions off.
const DOCTOR_PATH: &str = "/etc/aio/doctor.toml";
/// What Kolla's ovn-controller role sets on a network host.
const MAPPINGS: &str = "physnet1:br-ex";

const REFERENCE: &str = include_str!("../../../../examples/openstack-aio.toml");

/// The reference for doctor: `br-ex` is aio's here (no Kolla makes it),
/// Kolla's actions off, without the storage section the suite has no use for.
fn topology() -> String {
    let before_storage = REFERENCE
        .find("\n# --- Storage")
        .map_or(REFERENCE, |end| &REFERENCE[..=end]);
    before_storage
        .lines()
        .filter(|l| !l.trim_start().starts_with("provided_by"))
        .map(|l| match l.starts_with("actions = ") {
            true => "actions = []\n".to_string(),
            false => format!("{l}\n"),
        })
        .collect()
}

/// One breakage: how it is made, and the hop doctor must name.
pub struct Breakage {
    pub what: &'static str,
    make: String,
    hop: String,
}

pub fn breakages() -> Vec<Breakage> {
    let b = |what, make: &str, hop: &str| Breakage {
        what,
        make: make.to_string(),
        hop: hop.to_string(),
    };
    vec![
        b(
            "veth-br out of dummy1",
            "ip link set veth-br nomaster",
            "veth-br",
        ),
        b(
            "the NAT rule deleted",
            "nft flush chain ip aio postrouting",
            "NAT of 10.0.2.0/24",
        ),
        b(
            "ip_forward=0",
            "sysctl -qw net.ipv4.ip_forward=0",
            "IPv4 forwarding",
        ),
        b(
            "the OVS tag changed",
            &format!("ovs-vsctl --timeout=10 set port {OVS_PORT} tag=99"),
            &format!("{OVS_PORT} on {OVS_BRIDGE}, VLAN 1718"),
        ),
        b(
            "ovn-bridge-mappings wrong",
            "ovs-vsctl --timeout=10 set Open_vSwitch . external_ids:ovn-bridge-mappings=physnet1:br-int",
            "OVN's bridge mapping",
        ),
        b(
            "a 1500-byte link on the 9000 path",
            &format!("ip link set {VETH} mtu 1500"),
            VETH,
        ),
        b("v-lbaas down", "ip link set v-lbaas down", "v-lbaas"),
    ]
}

/// What doctor must leave as it found it (nft counters aside: its own
/// traffic moves them).
const SNAPSHOT: &str = "ip -o link show; ip -o address show; ip route show table all; \
    nft list ruleset | sed 's/counter packets [0-9]* bytes [0-9]*/counter/'; \
    ovs-vsctl --timeout=10 --columns=name,ports,external_ids list Bridge; \
    ovs-vsctl --timeout=10 --columns=name,tag,trunks,interfaces list Port; \
    ovs-vsctl --timeout=10 --columns=name,type,ofport,error,mtu list Interface; \
    ovs-vsctl --timeout=10 --columns=external_ids list Open_vSwitch";

/// aio.service stopped, Kolla's deploy stood in for where doctor looks,
/// and doctor passes a healthy host, leaving it as it was.
pub fn healthy(ssh: &Ssh) -> Proof<()> {
    write_topology(ssh, DOCTOR_PATH, &topology())?;
    must(
        ssh,
        &format!(
            "systemctl stop aio.service && \
             ovs-vsctl --timeout=10 --may-exist add-port {OVS_BRIDGE} {VETH} && \
             ovs-vsctl --timeout=10 set Open_vSwitch . external_ids:ovn-bridge-mappings={MAPPINGS} \
               external_ids:ovn-cms-options=enable-chassis-as-gw"
        ),
    )?;
    let before = must(ssh, SNAPSHOT)?;
    let out = doctor(ssh)?;
    if out.status.code() != Some(0) {
        return Err(format!(
            "doctor did not pass the healthy VM: {}",
            said(&out)
        ));
    }
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    for proof in [
        "✓ traffic from dummy1 out through NAT",
        "9000 bytes answered",
        "✓ traffic on VLAN 1718 to v-lbaas",
    ] {
        if !stdout.contains(proof) {
            return Err(format!("no \"{proof}\":\n{stdout}"));
        }
    }
    let after = must(ssh, SNAPSHOT)?;
    if after != before {
        return Err(format!(
            "doctor changed the VM:\nbefore:\n{before}\nafter:\n{after}"
        ));
    }
    Ok(((), took(&stdout)))
}

/// `breakage` made, named by doctor at its hop, then repaired (by `aio
/// apply`, or the mapping set back as Kolla sets it) until doctor passes.
pub fn named(ssh: &Ssh, breakage: &Breakage) -> Proof<()> {
    must(ssh, &breakage.make)?;
    let out = doctor(ssh)?;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let verdict = stdout
        .lines()
        .find(|l| l.contains("First broken hop:"))
        .unwrap_or_default()
        .to_string();
    if out.status.code() != Some(1)
        || !verdict.contains(&format!("First broken hop: {} on ", breakage.hop))
    {
        return Err(format!(
            "doctor did not name {}: {}",
            breakage.hop,
            said(&out)
        ));
    }
    let repair = match breakage.what {
        "ovn-bridge-mappings wrong" => format!(
            "ovs-vsctl --timeout=10 set Open_vSwitch . external_ids:ovn-bridge-mappings={MAPPINGS}"
        ),
        _ => format!("aio apply --yes -f {PATH} >/dev/null"),
    };
    must(ssh, &repair)?;
    let again = doctor(ssh)?;
    if again.status.code() != Some(0) {
        return Err(format!(
            "after the repair doctor does not pass: {}",
            said(&again)
        ));
    }
    Ok(((), format!("{verdict} ({})", took(&stdout))))
}

/// aio.service back, as the host had it.
pub fn restore(ssh: &Ssh) -> Result<(), String> {
    must(ssh, "systemctl start aio.service").map(drop)
}

fn doctor(ssh: &Ssh) -> Result<std::process::Output, String> {
    ssh.exec(&format!("aio doctor --color never -f {DOCTOR_PATH}"))
        .map_err(|e| e.to_string())
}

/// Doctor's own "doctor took N s" line.
fn took(stdout: &str) -> String {
    stdout
        .lines()
        .find(|l| l.starts_with("doctor took"))
        .unwrap_or("doctor's time not printed")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doctors_topology_is_the_reference_with_kolla_idle_and_parses() {
        let text = topology();
        let parsed = aio_topology::parse_str(DOCTOR_PATH, text.as_str());
        assert!(parsed.is_ok(), "{:?}", parsed.err().map(|d| d.to_string()));
        assert!(text.contains("actions = []\n") && text.contains("neutron_external_interface"));
        assert!(!text.contains("provided_by") && !text.contains("[nfs"));
    }
}
