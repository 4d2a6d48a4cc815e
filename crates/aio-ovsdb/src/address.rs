//! Where an OVSDB server listens, in the notation of `ovs-vsctl --db`:
//! `unix:PATH` or `tcp:HOST[:PORT]` (IPv6 hosts in brackets, port 6640 by
//! default). SSL is not supported.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// The IANA port of OVSDB, the default of `tcp:HOST`.
pub const DEFAULT_PORT: u16 = 6640;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Unix(PathBuf),
    Tcp { host: String, port: u16 },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not an OVSDB address ({why}): expected unix:PATH or tcp:HOST:PORT")]
pub struct AddressError {
    pub text: String,
    pub why: &'static str,
}

impl FromStr for Address {
    type Err = AddressError;

    fn from_str(text: &str) -> Result<Address, AddressError> {
        let bad = |why| AddressError {
            text: text.to_string(),
            why,
        };
        if let Some(path) = text.strip_prefix("unix:") {
            if path.is_empty() {
                return Err(bad("empty path"));
            }
            return Ok(Address::Unix(PathBuf::from(path)));
        }
        let Some(rest) = text.strip_prefix("tcp:") else {
            return Err(bad("unknown or missing method"));
        };
        let (host, port) = match rest.strip_prefix('[') {
            Some(bracketed) => {
                let (host, after) = bracketed.split_once(']').ok_or(bad("no `]`"))?;
                match after {
                    "" => (host, None),
                    _ => (
                        host,
                        Some(after.strip_prefix(':').ok_or(bad("junk after `]`"))?),
                    ),
                }
            }
            None if rest.matches(':').count() > 1 => {
                return Err(bad("write IPv6 hosts in brackets"));
            }
            None => match rest.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (rest, None),
            },
        };
        if host.is_empty() {
            return Err(bad("empty host"));
        }
        let port = match port {
            None => DEFAULT_PORT,
            Some(p) => p.parse().map_err(|_| bad("bad port"))?,
        };
        Ok(Address::Tcp {
            host: host.to_string(),
            port,
        })
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Unix(path) => write!(f, "unix:{}", path.display()),
            Address::Tcp { host, port } if host.contains(':') => write!(f, "tcp:[{host}]:{port}"),
            Address::Tcp { host, port } => write!(f, "tcp:{host}:{port}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_and_print_back() {
        for (text, printed) in [
            (
                "unix:/run/openvswitch/db.sock",
                "unix:/run/openvswitch/db.sock",
            ),
            ("tcp:127.0.0.1:6641", "tcp:127.0.0.1:6641"),
            ("tcp:ovsdb.example", "tcp:ovsdb.example:6640"),
            ("tcp:[::1]:6641", "tcp:[::1]:6641"),
            ("tcp:[::1]", "tcp:[::1]:6640"),
        ] {
            let address: Address = text.parse().unwrap();
            assert_eq!(address.to_string(), printed);
        }
    }

    #[test]
    fn bad_addresses_say_why() {
        for (text, why) in [
            ("/run/openvswitch/db.sock", "unknown or missing method"),
            ("ssl:1.2.3.4:6640", "unknown or missing method"),
            ("unix:", "empty path"),
            ("tcp::6640", "empty host"),
            ("tcp:fe80::1", "write IPv6 hosts in brackets"),
            ("tcp:1.2.3.4:http", "bad port"),
            ("tcp:1.2.3.4:70000", "bad port"),
            ("tcp:[::1", "no `]`"),
            ("tcp:[::1]6640", "junk after `]`"),
        ] {
            let err = text.parse::<Address>().unwrap_err();
            assert_eq!(err.why, why, "{text}");
            assert!(err.to_string().contains(text));
        }
    }
}
