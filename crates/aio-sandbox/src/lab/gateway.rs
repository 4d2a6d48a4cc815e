//! Kolla's `init-runonce` gives `public1`'s subnet its first address as
//! the gateway (10.0.2.1), which nothing on `dummy1` (10.0.2.2) answers:
//! floating IPs never reach the internet. The proof cuts vm0 off that way,
//! then lets `aio apply` fix the subnet in place through Neutron's API,
//! with `[neutron.external_network]` declared and `clouds.yaml` where
//! Kolla's post-deploy writes it, and sees vm0 reach the upstream again.

use std::time::Duration;

use super::Lab;
use super::proofs::{Proof, ping, proof};
use crate::neutron::objects::EXTERNAL_SUBNET;
use crate::{GATEWAY, exec_in, poll};

/// The one line that has aio keep Neutron's external network.
pub const EXTERNAL_NETWORK: &str = "\n[neutron.external_network]\nname = \"public1\"\n";

impl Lab {
    /// With init-runonce's gateway on `public1-subnet`, vm0 cannot reach
    /// the upstream; after `aio apply` with `[neutron.external_network]`
    /// it can. The lab's topology is as before afterwards: the subnet aio
    /// fixed is not aio's (it was not adopted), so dropping the section
    /// leaves it alone.
    pub fn init_runonce_gateway(&self) -> Proof {
        let wrong = crate::neutron::nth(self.design.outside.trunc(), 1).to_string();
        let right = self.design.outside.addr().to_string();
        let claim = format!(
            "with init-runonce's gateway {wrong} on {EXTERNAL_SUBNET}, vm0 cannot reach the upstream {GATEWAY}; \
             `aio apply` with [neutron.external_network] sets {right} (dummy1's address) and it can"
        );
        if wrong == right {
            let why =
                "dummy1 holds the subnet's first address: this design cannot show the mismatch";
            return proof(claim, false, why);
        }
        let vm0_ns = self.ns_of("vm0");
        let cut = self
            .cloud()
            .openstack_unit(&["subnet", "set", "--gateway", &wrong, EXTERNAL_SUBNET])
            .map(|_| {
                exec_in(&self.host.ns, &["ip", "neigh", "flush", "all"]);
                // Cut off for good: three pings in a row go unanswered (one
                // may be lost while OVN reprograms the router).
                poll::within(Duration::from_secs(30), || {
                    (0..3).all(|_| !ping(&vm0_ns, GATEWAY))
                })
            });
        let fixed = self.fixed_by_aio(&wrong, &right);
        let back = poll::within(Duration::from_secs(30), || ping(&vm0_ns, GATEWAY));
        let held = cut == Ok(true) && fixed.is_ok() && back;
        let why = format!(
            "gateway {wrong}: {cut:?} (true: cut off); aio: {fixed:?}; back through {right}: {back}"
        );
        proof(claim, held, &why)
    }

    /// Declares the external network, plans (the gateway must show as an
    /// update in place), applies, and puts the topology back.
    fn fixed_by_aio(&self, wrong: &str, right: &str) -> Result<(), String> {
        let config_dir = self.work.path().join("kolla");
        std::fs::copy(self.cloud().clouds_yaml(), config_dir.join("clouds.yaml"))
            .map_err(|e| format!("clouds.yaml: {e}"))?;
        self.edit_topology(&format!("{}{EXTERNAL_NETWORK}", self.reference));
        let outcome = (|| {
            let plan = self.aio("plan", &[]);
            let update = format!("gateway_ip: {wrong} -> {right}");
            if !plan.stdout.contains(&update) {
                return Err(format!(
                    "the plan does not show `{update}`:\n{}{}",
                    plan.stdout, plan.stderr
                ));
            }
            let apply = self.aio("apply", &["--yes"]);
            match apply.code {
                Some(0) => Ok(()),
                code => Err(format!(
                    "aio apply exited {code:?}:\n{}{}",
                    apply.stdout, apply.stderr
                )),
            }
        })();
        self.edit_topology(&self.reference);
        outcome
    }
}
