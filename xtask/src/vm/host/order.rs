//! What systemd says about the boot: when `aio.service` was started and
//! became ready, and when `docker.service` began to start. Parsed here from
//! `systemctl show` (monotonic microseconds, the journal's clock), judged
//! by pure functions so that a broken ordering is shown to fail.

/// The properties [`Boot::parse`] reads, for `systemctl show -p`.
pub const PROPERTIES: &str = "ExecMainStartTimestampMonotonic,ActiveEnterTimestampMonotonic";

/// The moments of one boot, in microseconds since it began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Boot {
    /// aio.service's process started.
    pub aio_started: u64,
    /// aio.service became active: its `READY=1` after the first pass.
    pub aio_ready: u64,
    /// docker.service began to start (left the inactive state).
    pub docker_started: u64,
}

impl Boot {
    /// From `systemctl show -p PROPERTIES aio.service` and
    /// `systemctl show -p InactiveExitTimestampMonotonic docker.service`.
    pub fn parse(aio: &str, docker: &str) -> Result<Self, String> {
        Ok(Self {
            aio_started: value(aio, "ExecMainStartTimestampMonotonic")?,
            aio_ready: value(aio, "ActiveEnterTimestampMonotonic")?,
            docker_started: value(docker, "InactiveExitTimestampMonotonic")?,
        })
    }

    /// docker.service began only after aio.service was ready.
    pub fn ordered(&self) -> Result<String, String> {
        if self.docker_started == 0 {
            return Err("docker.service did not start in this boot".into());
        }
        if self.docker_started < self.aio_ready {
            return Err(format!(
                "docker.service began to start at {:.2} s, before aio.service was ready at {:.2} s: \
                 aio.service is not ordered before docker.service (its unit needs Before=docker.service)",
                secs(self.docker_started),
                secs(self.aio_ready)
            ));
        }
        Ok(format!(
            "aio.service started at {:.2} s, ready at {:.2} s, docker.service began at {:.2} s",
            secs(self.aio_started),
            secs(self.aio_ready),
            secs(self.docker_started)
        ))
    }
}

/// systemd's `Before=` of aio.service (`systemctl show -p Before
/// --value`) names docker.service.
pub fn names_docker(before: &str) -> Result<(), String> {
    if before
        .split_whitespace()
        .any(|unit| unit == "docker.service")
    {
        Ok(())
    } else {
        Err(format!(
            "aio.service is not ordered before docker.service (Before={before}): its unit needs Before=docker.service"
        ))
    }
}

/// `NAME=VALUE` in `systemctl show` output; an unset timestamp is 0.
fn value(shown: &str, name: &str) -> Result<u64, String> {
    shown
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix('='))
        .ok_or_else(|| format!("systemctl show gave no {name}: {shown:?}"))?
        .trim()
        .parse()
        .map_err(|e| format!("{name} in {shown:?}: {e}"))
}

fn secs(us: u64) -> f64 {
    us as f64 / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const AIO: &str =
        "ExecMainStartTimestampMonotonic=4100000\nActiveEnterTimestampMonotonic=5300000\n";

    #[test]
    fn docker_after_aio_ready_is_ordered() {
        let boot = Boot::parse(AIO, "InactiveExitTimestampMonotonic=5310000\n").unwrap();
        assert_eq!(boot.aio_ready, 5_300_000);
        let said = boot.ordered().unwrap();
        assert!(said.contains("ready at 5.30 s"), "{said}");
    }

    #[test]
    fn docker_before_aio_ready_fails_naming_the_missing_order() {
        let boot = Boot::parse(AIO, "InactiveExitTimestampMonotonic=4200000\n").unwrap();
        let why = boot.ordered().unwrap_err();
        assert!(why.contains("Before=docker.service"), "{why}");
        assert!(why.contains("4.20 s"), "{why}");
    }

    #[test]
    fn docker_that_never_started_is_not_taken_as_ordered() {
        let boot = Boot::parse(AIO, "InactiveExitTimestampMonotonic=0\n").unwrap();
        assert!(boot.ordered().is_err());
    }

    #[test]
    fn before_must_name_docker() {
        assert!(names_docker("network.target docker.service shutdown.target").is_ok());
        let why = names_docker("shutdown.target").unwrap_err();
        assert!(why.contains("Before=docker.service"), "{why}");
    }

    #[test]
    fn a_missing_property_is_an_error_not_zero() {
        assert!(
            Boot::parse(
                "ActiveEnterTimestampMonotonic=1\n",
                "InactiveExitTimestampMonotonic=2"
            )
            .is_err()
        );
    }
}
