//! Drift made by hand in the running VM, and how long aio.service takes
//! to undo it: each kind the topology declares (a link, an OVS tag, the
//! NAT rule, a sysctl).

use aio_vm::Ssh;

use super::super::remote::{Proof, must, plan_is_empty};
use super::super::topology::{BRIDGE, NAT_SOURCE, OVS_PORT, OVS_TAG, PATH, VETH, VETH_PEER};

/// How long any repair may take (watch repairs each live, in about a second).
const DEADLINE_S: u32 = 60;

/// One kind of drift: what breaks it by hand, and what holds once repaired.
pub struct Drift {
    pub name: String,
    pub make: String,
    pub holds: String,
}

/// The drifts the host suite makes, one of each kind.
pub fn kinds() -> Vec<Drift> {
    vec![
        Drift {
            name: format!("{VETH} deleted"),
            make: format!("ip link del {VETH}"),
            holds: format!(
                "ip link show {VETH} >/dev/null 2>&1 && ip link show {VETH_PEER} 2>/dev/null | grep -q 'master {BRIDGE}'"
            ),
        },
        Drift {
            name: format!("{OVS_PORT}'s tag set to 99"),
            make: format!("ovs-vsctl set port {OVS_PORT} tag=99"),
            holds: format!("[ \"$(ovs-vsctl --timeout=1 get port {OVS_PORT} tag)\" = {OVS_TAG} ]"),
        },
        Drift {
            name: "table ip aio flushed".into(),
            make: "nft flush table ip aio".into(),
            holds: format!(
                "nft list table ip aio 2>/dev/null | grep -q 'ip saddr {NAT_SOURCE} .*masquerade'"
            ),
        },
        Drift {
            name: "ip_forward set to 0".into(),
            make: "sysctl -qw net.ipv4.ip_forward=0".into(),
            holds: "[ \"$(cat /proc/sys/net/ipv4/ip_forward)\" = 1 ]".into(),
        },
    ]
}

/// Makes `drift` and times its repair; the plan is empty afterwards.
pub fn repaired(ssh: &Ssh, drift: &Drift) -> Proof<u64> {
    must(ssh, &drift.holds)
        .map_err(|_| format!("before the drift, it did not hold: {}", drift.holds))?;
    let script = format!(
        "{make} || exit 3
start=$(date +%s%N)
until {holds}; do
  [ $(( $(date +%s%N) - start )) -gt {DEADLINE_S}000000000 ] && exit 1
  sleep 0.02
done
echo $(( ($(date +%s%N) - start) / 1000000 ))",
        make = drift.make,
        holds = drift.holds,
    );
    let ms: u64 = must(ssh, &script)
        .map_err(|_| format!("not repaired within {DEADLINE_S} s"))?
        .parse()
        .map_err(|e| format!("the repair time: {e}"))?;
    plan_is_empty(ssh, PATH).map_err(|e| format!("after the repair {e}"))?;
    Ok((ms, format!("repaired in {ms} ms; plan exits 0 again")))
}
