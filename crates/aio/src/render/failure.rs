//! A failure as the last words of a command: a file's diagnostics as they
//! are (`FILE:LINE:COL: error: ...`), anything else after `error:`; an
//! apply that did not converge lists what is still different. No credential
//! a message quotes is shown.

use aio_engine::ApplyError;
use aio_host::HostError;
use aio_topology::LoadError;
use aio_topology::secret::scrub;

use crate::Failure;
use crate::output::{ERROR, styled};

/// What to print on stderr for `failure`.
pub fn text(failure: &Failure) -> String {
    let located = matches!(
        failure,
        Failure::Topology(LoadError::Invalid(_))
            | Failure::Host(HostError::Topology(LoadError::Invalid(_)) | HostError::Facts(_))
            | Failure::Facts(_)
    );
    let mut text = failure.to_string();
    if let Failure::Host(e) = failure
        && let Some(ApplyError::NotConverged { left, .. }) = e.apply_error()
    {
        text.push_str("; still different:\n");
        text.push_str(&super::plan::text(left));
    }
    let text = scrub(&text);
    if located {
        text
    } else {
        format!("{} {text}", styled(ERROR, "error:"))
    }
}
