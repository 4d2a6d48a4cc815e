//! `aio destroy`: delete everything aio created for this topology, newest
//! first: links, the addresses it added, its NAT rules and table, its OVS
//! rows. Never Kolla's containers or data: that takes `--kolla-ansible-destroy`
//! and typing the Kolla config dir.

use aio_host::Host;

use super::apply::lock;
use super::plan;
use crate::Failure;
use crate::cli::{Target, Write};
use crate::prompt::{confirm, type_back};

pub async fn run(target: &Target, write: &Write, kolla: bool) -> Result<u8, Failure> {
    let mut host = Host::open(target.host()?).await?;
    host.set_rollback(false);
    let _lock = lock(&host, write)?;
    // Nothing desired: the plan deletes all that aio owns, and only that.
    let plan = host.destroy_plan().await?;
    plan::print(&host, &plan, false);
    host.forget(&plan)?;
    if !plan.is_empty() {
        if !write.yes && !confirm("Delete all this?")? {
            return Err(Failure::Refused(
                "destroy cancelled, nothing was changed".into(),
            ));
        }
        let deleted = host.destroy(&plan).await?;
        outln!("\nDestroy complete: {deleted} object(s) aio created were deleted.");
    }
    if kolla {
        let mut answer = Ok(false);
        let ran = host
            .teardown(&mut |t| {
                let what = format!("{} removes {}", t.name, t.removes);
                answer = type_back(
                    &format!("{what} of {}.", t.confirm_with),
                    &t.confirm_with,
                    &format!("{what}: it needs a terminal to confirm"),
                );
                matches!(answer, Ok(true))
            })
            .map_err(|e| answer.err().unwrap_or(Failure::Host(e)))?;
        if ran == 0 {
            return Err(Failure::Refused("the topology has no [kolla]".into()));
        }
    }
    plan::unavailable(&plan)?;
    Ok(0)
}
