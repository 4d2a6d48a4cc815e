//! Open vSwitch as Kolla has it: after a reboot OVS comes up with its
//! containers, about a minute after the host. In the VM a timer starts
//! Debian's Open vSwitch 60 s after boot with a fresh database (as a first
//! deploy of those containers has); aio must make `br-ex` and its port as
//! soon as OVSDB answers, and say that it waits once, not every few seconds.

use std::collections::BTreeMap;

use aio_vm::Ssh;

use super::super::remote::{Proof, must};
use super::super::topology::{OVS_BRIDGE, OVS_PORT, OVS_TAG};

/// How long after boot the late Open vSwitch starts.
pub const LATE_S: u32 = 60;
/// How long after OVSDB answers the port may take.
const PORT_DEADLINE_S: u32 = 60;
/// How long OVSDB may take to answer, from SSH answering.
const OVSDB_DEADLINE_S: u32 = 300;

const LATE_UNIT: &str = "aio-vm-late-ovs";

/// From the next boot on, Open vSwitch starts only [`LATE_S`] after boot.
pub fn start_late(ssh: &Ssh) -> Result<(), String> {
    let script = format!(
        "cat > /etc/systemd/system/{LATE_UNIT}.service <<'UNIT'
[Unit]
Description=Open vSwitch started late with a fresh database, as Kolla's containers start it

[Service]
Type=oneshot
ExecStartPre=/bin/rm -f /etc/openvswitch/conf.db
ExecStart=/bin/systemctl start openvswitch-switch.service
UNIT
cat > /etc/systemd/system/{LATE_UNIT}.timer <<'UNIT'
[Timer]
OnBootSec={LATE_S}

[Install]
WantedBy=timers.target
UNIT
systemctl daemon-reload
systemctl disable --quiet openvswitch-switch.service
systemctl enable --quiet {LATE_UNIT}.timer"
    );
    must(ssh, &script).map(drop)
}

/// From the next boot on, Open vSwitch starts with the host again.
pub fn start_with_the_host(ssh: &Ssh) -> Result<(), String> {
    must(
        ssh,
        &format!(
            "systemctl disable --quiet {LATE_UNIT}.timer && \
             systemctl enable --quiet openvswitch-switch.service"
        ),
    )
    .map(drop)
}

/// Run as soon as SSH answers after a boot with the late start: OVSDB must
/// still be down, then it answers, then aio's port is on its tag within
/// seconds; aio's journal says each thing it waited for once.
pub fn port_follows_late_ovs(ssh: &Ssh) -> Proof<()> {
    let script = format!(
        "if ovs-vsctl --timeout=1 show >/dev/null 2>&1; then echo early; exit 0; fi
start=$(date +%s%N)
until ovs-vsctl --timeout=1 show >/dev/null 2>&1; do
  [ $(( $(date +%s%N) - start )) -gt {OVSDB_DEADLINE_S}000000000 ] && {{ echo noovsdb; exit 0; }}
  sleep 0.1
done
answered=$(date +%s%N); up=$(cut -d' ' -f1 /proc/uptime)
until [ \"$(ovs-vsctl --timeout=1 get port {OVS_PORT} tag 2>/dev/null)\" = {OVS_TAG} ]; do
  [ $(( $(date +%s%N) - answered )) -gt {PORT_DEADLINE_S}000000000 ] && {{ echo noport; exit 0; }}
  sleep 0.05
done
echo \"port $up $(( ($(date +%s%N) - answered) / 1000000 ))\""
    );
    let said = must(ssh, &script)?;
    let (up, ms) = match said.split_whitespace().collect::<Vec<_>>()[..] {
        ["port", up, ms] => (up.to_string(), ms.to_string()),
        ["early"] => {
            return Err(
                "OVSDB already answered when SSH did: Open vSwitch did not start late".into(),
            );
        }
        ["noovsdb"] => {
            return Err(format!(
                "OVSDB did not answer within {OVSDB_DEADLINE_S} s of SSH answering"
            ));
        }
        ["noport"] => {
            return Err(format!(
                "OVSDB answered but {OVS_PORT} was not on {OVS_BRIDGE} with tag {OVS_TAG} within {PORT_DEADLINE_S} s"
            ));
        }
        _ => return Err(format!("unexpected answer: {said}")),
    };
    let journal = must(ssh, "journalctl -b -u aio.service -o cat --no-pager")?;
    let waits = repeated_waits(&journal);
    let lines: usize = waits.values().sum();
    if lines == 0 {
        return Err("aio's journal says nothing of waiting for Open vSwitch".into());
    }
    if let Some((line, n)) = waits.iter().find(|(_, n)| **n > 1) {
        return Err(format!(
            "aio logged the same wait {n} times (once is enough): {line}"
        ));
    }
    Ok((
        (),
        format!(
            "OVSDB answered {up} s after boot, {OVS_PORT} on {OVS_BRIDGE} with tag {OVS_TAG} {ms} ms later; \
             {lines} wait line(s) in the journal, none repeated"
        ),
    ))
}

/// Each distinct "not yet" line of aio's journal and how often it came.
fn repeated_waits(journal: &str) -> BTreeMap<&str, usize> {
    let mut seen = BTreeMap::new();
    for line in journal.lines().filter(|l| l.contains("not yet")) {
        *seen.entry(line.trim()).or_insert(0) += 1;
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_said_every_few_seconds_is_counted_as_repeated() {
        let journal = "aio watch: 9 resources\n\
            aio watch: not yet: ovs-port/br-ex/v-lbaas-vlan: OVSDB does not answer\n\
            aio watch: not yet: ovs-port/br-ex/v-lbaas-vlan: OVSDB does not answer\n\
            aio watch: not yet: ovs-port/br-ex/v-lbaas-vlan: br-ex does not exist\n";
        let waits = repeated_waits(journal);
        assert_eq!(waits.len(), 2);
        assert_eq!(waits.values().max(), Some(&2));
    }
}
