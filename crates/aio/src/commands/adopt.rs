//! `aio adopt`: take over a host another tool built (see `aio_host::Adoption`).

use std::path::Path;

use aio_host::{Done, Host, Intent};

use super::plan;
use super::run::{Ask, run as carry_out};
use crate::Failure;
use crate::cli::{Target, Write};

pub async fn run(target: &Target, write: &Write, root: Option<&Path>) -> Result<u8, Failure> {
    let host = Host::open(target.host()?).await?;
    let ask = Ask {
        verb: "adopt",
        question: "Adopt these?",
        json: false,
    };
    let outcome = carry_out(&host, Intent::Adopt { root }, write, &ask).await?;
    let adoption = &outcome.proposal;
    match outcome.done {
        Done::Applied(done) => {
            let disabled = adoption.units.as_ref().map_or(0, |u| u.enabled().count());
            outln!(
                "\nAdopt complete: {} change(s) applied, {disabled} boot unit(s) disabled.",
                done.applied
            );
            if disabled > 0 {
                outln!(
                    "`aio service install -f {}` runs aio at boot in their place.",
                    target.file.path.display()
                );
            }
        }
        _ => outln!("\nNothing to adopt."),
    }
    plan::unavailable(&adoption.plan)?;
    Ok(0)
}
