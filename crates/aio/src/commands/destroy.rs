//! `aio destroy`: delete everything aio created for this topology, newest
//! first: links, the addresses it added, its NAT rules and table, its OVS
//! rows. Never Kolla's containers or data: that takes `--kolla-ansible-destroy`
//! and typing the Kolla config dir.

use super::apply::{How, confirm, lock};
use super::plan;
use crate::Failure;
use crate::cli::{Target, Write};
use crate::session::Session;

pub async fn run(target: &Target, write: &Write, kolla: bool) -> Result<u8, Failure> {
    let mut session = Session::open(target).await?;
    session.engine.set_rollback(false);
    let _lock = lock(
        target,
        &How {
            write,
            json: false,
            rollback: false,
        },
    )?;
    // Nothing desired: the plan deletes all that aio owns, and only that.
    let plan = session.engine.plan(&[]).await?;
    plan::print(&session, target, &plan, false);
    session.engine.forget(&plan)?;
    if !plan.is_empty() {
        if !write.yes && !confirm("Delete all this?")? {
            return Err(Failure::Refused(
                "destroy cancelled, nothing was changed".into(),
            ));
        }
        let report = session.engine.apply(&plan, &[]).await?;
        println!(
            "\nDestroy complete: {} object(s) aio created were deleted.",
            report.applied
        );
    }
    if kolla {
        session.destroy_kolla()?;
    }
    plan::unavailable(&plan)?;
    Ok(0)
}
