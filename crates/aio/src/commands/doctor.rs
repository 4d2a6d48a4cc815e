//! `aio doctor`: the data paths walked hop by hop ([`aio_doctor`]), each
//! hop ✓, ✗ or ? with what was expected, what was found and the fix; the
//! first broken hop named in one sentence at the end.

use aio_doctor::Report;
use aio_host::Host;

use crate::Failure;
use crate::cli::Target;
use crate::render;

/// Exit code 2: doctor could not look at all (the message says why); 1
/// is kept for a broken hop.
const COULD_NOT_LOOK: u8 = 2;

pub async fn run(target: &Target, json: bool) -> Result<u8, Failure> {
    match walk(target, json).await {
        Ok(code) => Ok(code),
        Err(failure) => {
            errln!("{}", render::failure::text(&failure));
            Ok(COULD_NOT_LOOK)
        }
    }
}

async fn walk(target: &Target, json: bool) -> Result<u8, Failure> {
    let host = Host::open(target.host()?).await?;
    let mut apply = format!("aio apply -f {}", target.file.path.display());
    if let Some(ns) = &target.netns {
        apply.push_str(&format!(" --netns {ns}"));
    }
    let report: Report = aio_doctor::examine(&host, &apply)
        .await
        .map_err(|aio_doctor::DoctorError::Host(e)| e)?;
    if json {
        outln!("{:#}", render::doctor::json(&report));
    } else {
        outln!("aio doctor of {}", target.file.path.display());
        for line in render::doctor::lines(&report) {
            outln!("{line}");
        }
    }
    Ok(report.exit_code())
}
