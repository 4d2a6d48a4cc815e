//! `aio destroy`: delete everything aio created for this topology, newest
//! first: links, the addresses it added, its NAT rules and table, its OVS
//! rows. Never Kolla's containers or data: that takes `--kolla-ansible-destroy`
//! and typing the Kolla config dir.

use aio_host::{Done, Host, Intent};

use super::plan;
use super::run::{Ask, run as carry_out};
use crate::Failure;
use crate::cli::{Target, Write};
use crate::prompt::type_back;

pub async fn run(target: &Target, write: &Write, kolla: bool) -> Result<u8, Failure> {
    let mut host = Host::open(target.host()?).await?;
    host.set_rollback(false);
    let ask = Ask {
        verb: "destroy",
        question: "Delete all this?",
        json: false,
    };
    // Nothing desired: the plan deletes all that aio owns, and only that.
    // The state dir's lock is held until Kolla's destroy is done too.
    let outcome = carry_out(&host, Intent::Destroy, write, &ask).await?;
    if let Done::Applied(done) = outcome.done {
        outln!(
            "\nDestroy complete: {} object(s) aio created were deleted.",
            done.applied
        );
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
    plan::unavailable(&outcome.proposal.plan)?;
    Ok(0)
}
