//! `${uplink}`, `${uplink_address}` and `${vip}` in string values.
//! `{{ ... }}` is Jinja for Kolla and is left alone.

use std::net::Ipv4Addr;

/// The substitutions a topology may use.
pub const VARIABLES: [&str; 3] = ["uplink", "uplink_address", "vip"];

/// Facts learnt from the live system (or stated in the file) that fill substitutions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub uplink: Option<String>,
    pub uplink_address: Option<Ipv4Addr>,
    /// The prefix length of the uplink's primary IPv4 address.
    pub uplink_prefix: Option<u8>,
    /// The IPv4 default route's gateway, when it goes through the uplink.
    pub gateway: Option<Ipv4Addr>,
    /// Every IPv4 address on the uplink with its prefix, the primary first
    /// (a VIP keepalived holds there shows as a /32 besides it).
    pub uplink_addresses: Vec<ipnet::Ipv4Net>,
    pub vip: Option<Ipv4Addr>,
    /// Every interface that carries a default route (IPv4 or IPv6): the
    /// host's connectivity, which nothing in a topology may touch.
    pub protected: Vec<Protected>,
    /// The names of every interface that exists now (empty from the file alone).
    pub existing: Vec<String>,
}

/// An interface carrying a default route, its addresses and gateways.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Protected {
    pub name: String,
    /// Its addresses with their prefixes (IPv6 link-local left out: every
    /// interface has one).
    pub addresses: Vec<ipnet::IpNet>,
    /// The default routes' gateways through it.
    pub gateways: Vec<std::net::IpAddr>,
}

impl Facts {
    fn get(&self, var: &str) -> Option<String> {
        match var {
            "uplink" => self.uplink.clone(),
            "uplink_address" => self.uplink_address.map(|a| a.to_string()),
            "vip" => self.vip.map(|a| a.to_string()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Var(String),
}

/// A string with substitutions, checked when parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

/// A `${...}` that names no known variable, at a byte offset in the string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownVariable {
    pub name: String,
    pub offset: usize,
    /// The `${` has no closing `}`.
    pub unterminated: bool,
}

/// A fact a template needs is not known (yet).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`${{{0}}}` is not known here")]
pub struct MissingFact(pub String);

impl Template {
    pub fn parse(s: &str) -> Result<Template, UnknownVariable> {
        let mut pieces = Vec::new();
        let mut rest = s;
        while let Some(start) = rest.find("${") {
            let Some(len) = rest[start..].find('}') else {
                return Err(UnknownVariable {
                    name: rest[start + 2..].to_string(),
                    offset: s.len() - rest.len() + start,
                    unterminated: true,
                });
            };
            let name = &rest[start + 2..start + len];
            if !VARIABLES.contains(&name) {
                let offset = s.len() - rest.len() + start;
                return Err(UnknownVariable {
                    name: name.to_string(),
                    offset,
                    unterminated: false,
                });
            }
            if start > 0 {
                pieces.push(Piece::Text(rest[..start].to_string()));
            }
            pieces.push(Piece::Var(name.to_string()));
            rest = &rest[start + len + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        Ok(Template { pieces })
    }

    /// The template that is one variable alone, e.g. `${uplink_address}`.
    pub(crate) fn variable(name: &str) -> Template {
        Template {
            pieces: vec![Piece::Var(name.to_string())],
        }
    }

    /// The template with every variable filled from `facts`.
    pub fn resolve(&self, facts: &Facts) -> Result<String, MissingFact> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Var(v) => out.push_str(&facts.get(v).ok_or_else(|| MissingFact(v.clone()))?),
            }
        }
        Ok(out)
    }

    /// The text as written, `${...}` included.
    pub fn raw(&self) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Var(v) => format!("${{{v}}}"),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_known_variables_and_keeps_jinja() {
        let t = Template::parse("${uplink}:{{ x }}:${vip}").unwrap();
        let facts = Facts {
            uplink: Some("eth0".into()),
            vip: Some(Ipv4Addr::new(192, 0, 2, 9)),
            ..Facts::default()
        };
        assert_eq!(t.resolve(&facts).unwrap(), "eth0:{{ x }}:192.0.2.9");
        assert_eq!(t.raw(), "${uplink}:{{ x }}:${vip}");
    }

    #[test]
    fn rejects_unknown_variable_with_its_offset() {
        let err = Template::parse("a ${upstream}").unwrap_err();
        assert_eq!(
            err,
            UnknownVariable {
                unterminated: false,
                name: "upstream".into(),
                offset: 2
            }
        );
    }

    #[test]
    fn missing_fact_is_an_error() {
        let t = Template::parse("${uplink_address}").unwrap();
        assert_eq!(
            t.resolve(&Facts::default()),
            Err(MissingFact("uplink_address".into()))
        );
    }
}
