//! Drift made by hand in the running VM, and how long aio.service takes
//! to undo it: each kind the topology declares (a link, an OVS tag, the
//! NAT rule, a sysctl).

use aio_vm::Ssh;

use super::super::remote::{Proof, must, plan_is_empty, said};
use super::super::topology::{
    BRIDGE, NAT_SOURCE, OVS_BRIDGE, OVS_PORT, OVS_TAG, PATH, VETH, VETH_PEER,
};

/// How long any repair may take (watch repairs each live, in about a second).
const DEADLINE_S: u32 = 60;

/// One kind of drift: what breaks it by hand, what holds once repaired,
/// and what names the resource in aio's `repaired` line.
pub struct Drift {
    pub name: String,
    pub make: String,
    pub holds: String,
    pub logged_as: String,
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
            logged_as: format!("link/{VETH}"),
        },
        Drift {
            name: format!("{OVS_PORT}'s tag set to 99"),
            make: format!("ovs-vsctl --timeout=10 set port {OVS_PORT} tag=99"),
            holds: format!("[ \"$(ovs-vsctl --timeout=1 get port {OVS_PORT} tag)\" = {OVS_TAG} ]"),
            logged_as: format!("ovs-port/{OVS_BRIDGE}/{OVS_PORT}"),
        },
        Drift {
            name: "table ip aio flushed".into(),
            make: "nft flush table ip aio".into(),
            holds: format!(
                "nft list table ip aio 2>/dev/null | grep -q 'ip saddr {NAT_SOURCE} .*masquerade'"
            ),
            logged_as: format!("/{NAT_SOURCE}"),
        },
        Drift {
            name: "ip_forward set to 0".into(),
            make: "sysctl -qw net.ipv4.ip_forward=0".into(),
            holds: "[ \"$(cat /proc/sys/net/ipv4/ip_forward)\" = 1 ]".into(),
            logged_as: "sysctl/net.ipv4.ip_forward".into(),
        },
    ]
}

/// Makes `drift` and times its repair; aio's journal has the repair line
/// for it (no other writer undid the drift), and the plan is empty after.
pub fn repaired(ssh: &Ssh, drift: &Drift) -> Proof<u64> {
    must(ssh, &drift.holds)
        .map_err(|_| format!("before the drift, it did not hold: {}", drift.holds))?;
    let script = format!(
        "cursor=$(journalctl -u aio.service -n 0 --show-cursor | sed -n 's/^-- cursor: //p')
{make} || exit 3
start=$(date +%s%N)
until {holds}; do
  [ $(( $(date +%s%N) - start )) -gt {DEADLINE_S}000000000 ] && exit 1
  sleep 0.02
done
took=$(( ($(date +%s%N) - start) / 1000000 ))
for i in $(seq 50); do
  journalctl -u aio.service --after-cursor=\"$cursor\" -o cat | grep -F repaired | grep -qF '{logged_as}' && {{ echo $took; exit 0; }}
  sleep 0.2
done
exit 4",
        make = drift.make,
        holds = drift.holds,
        logged_as = drift.logged_as,
    );
    let out = ssh.exec(&script).map_err(|e| e.to_string())?;
    let ms: u64 = match out.status.code() {
        Some(0) => String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .map_err(|e| format!("the repair time: {e}"))?,
        Some(3) => {
            return Err(format!(
                "could not make the drift: `{}`: {}",
                drift.make,
                said(&out)
            ));
        }
        Some(4) => {
            return Err(format!(
                "it holds again, but aio's journal has no repair line for {}: another writer undid the drift",
                drift.logged_as
            ));
        }
        Some(1) => return Err(format!("not repaired within {DEADLINE_S} s")),
        code => return Err(format!("the drift script exited {code:?}: {}", said(&out))),
    };
    plan_is_empty(ssh, PATH).map_err(|e| format!("after the repair {e}"))?;
    Ok((
        ms,
        format!("repaired in {ms} ms, aio's journal says so; plan exits 0 again"),
    ))
}
