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
/// How long after OVSDB answers the port may take ("within seconds").
const PORT_WITHIN_S: f64 = 15.0;
/// How much earlier than systemd's "Started" line the port may come.
const EARLIER_S: f64 = 5.0;
/// How long, from SSH answering, the late start and the port may take.
const PORT_DEADLINE_S: u32 = 300;

const LATE_UNIT: &str = "aio-vm-late-ovs";

/// From the next boot on, Open vSwitch starts only [`LATE_S`] after boot.
pub fn start_late(ssh: &Ssh) -> Result<(), String> {
    let script = format!(
        "cat > /etc/systemd/system/{LATE_UNIT}.service <<'UNIT'
[Unit]
Description=Open vSwitch started late with a fresh database, as Kolla's containers start it
After=docker.service

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

/// Polls until aio's port is on its tag, for at most `seconds`.
pub fn wait_for_port(ssh: &Ssh, seconds: u32) -> Result<(), String> {
    must(
        ssh,
        &format!(
            "for i in $(seq {seconds}); do \
               [ \"$(ovs-vsctl --timeout=1 get port {OVS_PORT} tag 2>/dev/null)\" = {OVS_TAG} ] && exit 0; \
               sleep 1; done; exit 1"
        ),
    )
    .map(drop)
    .map_err(|_| format!("{OVS_PORT} was not on tag {OVS_TAG} within {seconds} s"))
}

/// After a boot with the late start: once the port is on its tag, the
/// journal (systemd's monotonic timestamps) must show aio ready before
/// OVSDB answered, the port added within [`PORT_WITHIN_S`] of it, and
/// each wait said once.
pub fn port_follows_late_ovs(ssh: &Ssh) -> Proof<()> {
    wait_for_port(ssh, PORT_DEADLINE_S)?;
    let journal = must(
        ssh,
        "journalctl -b -o short-monotonic -u aio.service -u ovsdb-server.service --no-pager",
    )?;
    let late = LateOvs::read(&journal)?;
    let said = late.judge()?;
    let waits = repeated_waits(&journal);
    let lines: usize = waits.values().map(Vec::len).sum();
    if lines == 0 {
        return Err("aio's journal says nothing of waiting for Open vSwitch".into());
    }
    if let Some((id, reason, n)) = said_again(&waits) {
        return Err(format!(
            "aio logged the same wait for {id} {n} times (once is enough): {reason}"
        ));
    }
    Ok(((), format!("{said}; {lines} wait line(s), none repeated")))
}

/// The moments of one boot with the late start, in seconds since it began.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LateOvs {
    /// systemd started aio.service: its first pass was done.
    aio_ready: f64,
    /// systemd started ovsdb-server.service: OVSDB answers.
    ovsdb: f64,
    /// aio's journal line that added the port.
    port: f64,
}

impl LateOvs {
    fn read(journal: &str) -> Result<Self, String> {
        let at = |needle: &str| {
            journal
                .lines()
                .find(|line| line.contains(needle))
                .and_then(monotonic)
                .ok_or_else(|| format!("no journal line with {needle:?}"))
        };
        Ok(Self {
            aio_ready: at("Started aio.service")?,
            ovsdb: at("Started ovsdb-server.service")?,
            port: at(&format!("repaired + ovs-port/{OVS_BRIDGE}/{OVS_PORT}"))?,
        })
    }

    fn judge(&self) -> Result<String, String> {
        if self.ovsdb < self.aio_ready {
            return Err(format!(
                "OVSDB answered at {:.1} s, before aio.service was ready at {:.1} s: Open vSwitch did not start late",
                self.ovsdb, self.aio_ready
            ));
        }
        // systemd logs "Started" once ovs-ctl returns, which may be just
        // after OVSDB answered aio.
        let after = self.port - self.ovsdb;
        if !(-EARLIER_S..=PORT_WITHIN_S).contains(&after) {
            return Err(format!(
                "{OVS_PORT} was added {after:.1} s after OVSDB answered (at {:.1} s), not within {PORT_WITHIN_S} s",
                self.ovsdb
            ));
        }
        Ok(format!(
            "aio ready at {:.1} s, OVSDB answered at {:.1} s, {OVS_PORT} on {OVS_BRIDGE} with tag {OVS_TAG} {after:.1} s later",
            self.aio_ready, self.ovsdb
        ))
    }
}

/// `[  236.610449] host unit[pid]: ...` -> 236.610449.
fn monotonic(line: &str) -> Option<f64> {
    let inside = line.trim_start().strip_prefix('[')?;
    inside.split(']').next()?.trim().parse().ok()
}

/// aio's "not yet" lines, by resource: each reason it gave, and whether
/// it said one again before the next (a wait said every few seconds).
fn repeated_waits(journal: &str) -> BTreeMap<String, Vec<String>> {
    let mut said: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in journal.lines() {
        let Some((_, rest)) = line.split_once("not yet: ") else {
            continue;
        };
        let (id, reason) = rest.split_once(": ").unwrap_or((rest, ""));
        said.entry(id.trim().to_string())
            .or_default()
            .push(reason.trim().to_string());
    }
    said
}

/// A wait said more than once for the same reason (also with another
/// reason between: a wait that flips is not said once).
fn said_again(waits: &BTreeMap<String, Vec<String>>) -> Option<(&str, &str, usize)> {
    waits.iter().find_map(|(id, reasons)| {
        reasons.iter().find_map(|reason| {
            let times = reasons.iter().filter(|r| *r == reason).count();
            (times > 1).then_some((id.as_str(), reason.as_str(), times))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOURNAL: &str = "\
[  211.126628] aio-vm aio[387]: aio watch: 11 resources of /etc/aio/topology.toml
[  212.000000] aio-vm aio[387]: aio watch: not yet: ovs-port/br-ex/v-lbaas-vlan: OVSDB does not answer
[  236.610449] aio-vm systemd[1]: Started aio.service - aio: keep the all-in-one OpenStack host plumbing converged.
[  301.160520] aio-vm systemd[1]: Started ovsdb-server.service - Open vSwitch Database Unit.
[  303.340956] aio-vm aio[387]: aio watch: repaired + ovs-bridge/br-ex
[  303.340956] aio-vm aio[387]: aio watch: repaired + ovs-port/br-ex/v-lbaas-vlan  (tag=1718, trunks=[], type=system)
";

    #[test]
    fn a_port_added_seconds_after_ovsdb_answered_late_holds() {
        let late = LateOvs::read(JOURNAL).unwrap();
        assert_eq!(late.aio_ready, 236.610449);
        let said = late.judge().unwrap();
        assert!(said.contains("2.2 s later"), "{said}");
    }

    #[test]
    fn ovs_up_before_aio_was_ready_is_not_a_late_start() {
        let early = JOURNAL.replace("[  301.160520]", "[  100.000000]");
        let why = LateOvs::read(&early).unwrap().judge().unwrap_err();
        assert!(why.contains("did not start late"), "{why}");
    }

    #[test]
    fn a_port_added_at_the_next_full_check_is_too_late() {
        let slow = JOURNAL.replace(
            "[  303.340956] aio-vm aio[387]: aio watch: repaired + ovs-port",
            "[  601.000000] aio-vm aio[387]: aio watch: repaired + ovs-port",
        );
        let why = LateOvs::read(&slow).unwrap().judge().unwrap_err();
        assert!(why.contains("not within"), "{why}");
    }

    #[test]
    fn a_wait_said_every_few_seconds_is_said_again() {
        let journal = "[ 1.0] vm aio[1]: aio watch: 9 resources\n\
            [ 2.0] vm aio[1]: aio watch: not yet: ovs-port/br-ex/v-lbaas-vlan: OVSDB does not answer\n\
            [ 4.0] vm aio[1]: aio watch: not yet: ovs-port/br-ex/v-lbaas-vlan: br-ex does not exist\n\
            [ 6.0] vm aio[1]: aio watch: not yet: ovs-port/br-ex/v-lbaas-vlan: OVSDB does not answer\n";
        let waits = repeated_waits(journal);
        assert_eq!(waits.len(), 1, "{waits:?}");
        assert_eq!(
            said_again(&waits),
            Some(("ovs-port/br-ex/v-lbaas-vlan", "OVSDB does not answer", 2))
        );
    }

    #[test]
    fn a_wait_whose_reason_changed_once_is_said_once() {
        let journal = "[ 2.0] vm aio[1]: aio watch: not yet: ovs-bridge/br-ex: OVSDB does not answer\n\
            [ 2.0] vm aio[1]: aio watch: not yet: ovs-port/br-ex/v-lbaas-vlan: OVSDB does not answer\n\
            [ 4.0] vm aio[1]: aio watch: not yet: ovs-port/br-ex/v-lbaas-vlan: br-ex does not exist\n";
        assert_eq!(said_again(&repeated_waits(journal)), None);
    }
}
