//! Before the unit is written: the topology opened against this host as
//! the unit's `aio watch -f FILE` opens it at every start, and planned
//! (which changes nothing). A file that does not fit the host (an address
//! on the uplink's subnet, an uplink that does not carry the default route)
//! would make the unit fail at every start and be restarted again and again.

use std::path::Path;

use aio_host::Host;

use super::UNIT;
use crate::Failure;
use crate::cli::{FileArg, Target};

/// Refuses `topology` unless it opens and plans on this host, with the
/// error `aio plan` gives printed first (located where the file is at fault).
pub async fn check(topology: &Path) -> Result<(), Failure> {
    let Err(error) = plan(topology).await else {
        return Ok(());
    };
    errln!("{}", crate::render::failure::text(&error));
    Err(Failure::Refused(format!(
        "{UNIT} was not installed: its `aio watch` would stop on this at every start. Fix {} (`aio plan -f {}` checks it) and install again",
        topology.display(),
        topology.display()
    )))
}

/// The plan of `topology` for the target of the unit's `aio watch -f FILE`
/// (the host's own network and state dir).
async fn plan(topology: &Path) -> Result<(), Failure> {
    let watch = Target {
        file: FileArg {
            path: topology.to_path_buf(),
        },
        netns: None,
        state_dir: None,
        targets: Vec::new(),
    };
    Host::open(watch.host()?).await?.plan().await?;
    Ok(())
}
