//! What the seed's two units did at a boot. `setup-interfaces.service` is
//! ordered only `After=network.target`, which does not wait for the
//! default route: when networkd has not set it yet, the script's
//! `NIC=$(ip -o -4 route show to default ...)` is empty, `iptables ... -o
//! -j MASQUERADE` is refused (`Bad argument 'MASQUERADE'`) and the unit
//! fails with no rule made. Seen in real boots here; which way a boot goes
//! is a race, so each outcome is recognised and named, anything else fails.

use std::fmt;

use aio_vm::Ssh;

use super::super::remote::must;
use super::super::topology;
use super::masquerade::{self, Masquerades};

/// How long the seed's units may take once SSH answers.
const UNITS_DEADLINE_S: u32 = 300;
/// The seed's Octavia link and its address: made by `veth-lbaas.sh`.
const LBAAS: &str = "v-lbaas";
const LBAAS_ADDRESS: &str = "172.18.255.254/16";
/// The links the seed's scripts make.
pub const SEED_LINKS: [&str; 5] = ["dummy1", "veth-ovs", "veth-br", "v-lbaas-vlan", LBAAS];
/// What iptables says when `-o` is given no interface.
const NO_NIC: &str = "Bad argument `MASQUERADE'";

/// What `setup-interfaces.sh` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It ran to its end: one more masquerade rule.
    Appended,
    /// It ran before the default route was there: no rule, unit failed.
    NoDefaultRoute,
}

impl Outcome {
    /// The rules this outcome leaves on a fresh kernel.
    pub fn rules(self) -> usize {
        match self {
            Self::Appended => 1,
            Self::NoDefaultRoute => 0,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Appended => write!(f, "setup-interfaces.sh appended its rule"),
            Self::NoDefaultRoute => write!(
                f,
                "setup-interfaces.sh ran before the default route (After=network.target only): iptables refused `-o  -j MASQUERADE`, the unit failed, no rule"
            ),
        }
    }
}

/// What a boot of the seed's units left.
pub struct SeedBoot {
    pub outcome: Outcome,
    pub rules: Masquerades,
}

/// Polls until both of the seed's units have run (`setup-interfaces`, a
/// oneshot that remains, active or failed; `veth-lbaas`, a simple service,
/// exited), then says what `setup-interfaces.sh` did; `veth-lbaas` must
/// have succeeded.
pub fn wait_for_seed_units(ssh: &Ssh) -> Result<Outcome, String> {
    must(
        ssh,
        &format!(
            "for i in $(seq {UNITS_DEADLINE_S}); do \
               s=$(systemctl is-active setup-interfaces.service); \
               {{ [ \"$s\" = active ] || [ \"$s\" = failed ]; }} && \
               [ \"$(systemctl show -p ExecMainExitTimestampMonotonic --value veth-lbaas.service)\" != 0 ] && exit 0; \
               sleep 1; done; \
             systemctl status --no-pager setup-interfaces.service veth-lbaas.service; exit 1"
        ),
    )
    .map_err(|e| format!("the seed's units did not both run within {UNITS_DEADLINE_S} s: {e}"))?;
    let journal = || {
        must(
            ssh,
            "journalctl -b -u setup-interfaces -u veth-lbaas --no-pager -n 30",
        )
        .unwrap_or_default()
    };
    let lbaas = must(ssh, "systemctl show -p Result --value veth-lbaas.service")?;
    if lbaas != "success" {
        return Err(format!(
            "veth-lbaas.service ended with {lbaas}, not success:\n{}",
            journal()
        ));
    }
    let setup = must(
        ssh,
        "systemctl show -p Result --value setup-interfaces.service",
    )?;
    if setup == "success" {
        return Ok(Outcome::Appended);
    }
    let said = must(
        ssh,
        "journalctl -b -u setup-interfaces.service -o cat --no-pager",
    )?;
    if setup == "exit-code" && said.contains(NO_NIC) {
        return Ok(Outcome::NoDefaultRoute);
    }
    Err(format!(
        "setup-interfaces.service ended with {setup}, and not for want of the default route:\n{}",
        journal()
    ))
}

/// After the seed's units ran: what they did, their links (all made
/// before the iptables line), and exactly the rules that outcome leaves on
/// a fresh kernel. A reboot forgets the last boot's rules; more would mean
/// something restores them (iptables-persistent), which the seed never
/// installs.
pub fn seed_units_ran(ssh: &Ssh) -> Result<SeedBoot, String> {
    let outcome = wait_for_seed_units(ssh)?;
    for link in SEED_LINKS {
        must(ssh, &format!("ip link show {link}"))
            .map_err(|_| format!("{link}, which the seed's scripts make, is missing"))?;
    }
    let address = must(ssh, &format!("ip -o addr show dev {LBAAS}"))?;
    if !address.contains(&format!(" {LBAAS_ADDRESS} ")) {
        return Err(format!("{LBAAS} has not {LBAAS_ADDRESS}: {address}"));
    }
    let rules = masquerade::count(ssh, topology::NAT_SOURCE)?;
    if rules.total() != outcome.rules() {
        return Err(format!(
            "{rules} masquerade rules for {}, not the {} a fresh kernel has when {outcome}",
            topology::NAT_SOURCE,
            outcome.rules()
        ));
    }
    Ok(SeedBoot { outcome, rules })
}
