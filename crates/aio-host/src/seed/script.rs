//! Whether every command of a boot script is one the topology accounts
//! for. A script is the old installer's only if each line that does
//! something is one of:
//!
//! - `ip link add NAME type bridge` for a declared bridge, or `ip link add
//!   NAME type veth peer [name] PEER` for a declared veth pair;
//! - `ip link set [dev] NAME` with `up`, `down`, `master M` or `mtu N`, each
//!   as the topology declares NAME;
//! - `ip addr add ADDRESS dev NAME` for an address declared on NAME;
//! - `iptables -t nat -A POSTROUTING -s SOURCE -o OUT -j MASQUERADE` (in any
//!   order, nothing else) for a declared `[[nat]]`, where `OUT` is the
//!   interface or a variable set by the uplink lookup below and the entry's
//!   `out` is the uplink;
//! - the installer's uplink lookup `NIC=$(ip -o -4 route show to default |
//!   awk '{print $5}')`, which changes nothing;
//! - `set -e` and the like, and `exit 0`.
//!
//! `sudo` before a command is allowed. Comments, blank lines and a shell
//! `#!` line are not commands; a `#!` line for another interpreter makes
//! the script not one.

use std::collections::BTreeSet;

use aio_topology::{AdminState, InterfaceKind};
use ipnet::IpNet;

use super::declared::{Declared, Unaccounted};
use super::masquerade;
use super::shell::{self, Word, text};

/// What reading a script found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Reading {
    /// Lines that do something the topology accounts for.
    pub accounted: usize,
    /// The first line that is not accounted for: its number (from 1), its
    /// text and why.
    pub first_unaccounted: Option<(usize, String, Unaccounted)>,
}

/// Reads `text`, a script run by a boot unit (`through_shell`: given to a
/// shell on the command line, so a `#!` line is not needed).
pub(crate) fn read(text: &str, declared: Declared<'_>, through_shell: bool) -> Reading {
    let mut reading = Reading::default();
    let mut uplink_vars = BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        let verdict = if index == 0 && trimmed.starts_with("#!") {
            shebang(trimmed, through_shell)
        } else if index == 0 && !through_shell && !trimmed.is_empty() {
            // Without `#!`, the kernel refuses to run the file.
            Err(Unaccounted::NotShell(trimmed.to_string()))
        } else if let Some(var) = uplink_lookup(trimmed) {
            uplink_vars.insert(var);
            Ok(false)
        } else {
            command(trimmed, declared, &uplink_vars)
        };
        match verdict {
            Ok(true) => reading.accounted += 1,
            Ok(false) => {}
            Err(why) => {
                if reading.first_unaccounted.is_none() {
                    reading.first_unaccounted = Some((index + 1, trimmed.to_string(), why));
                }
            }
        }
    }
    reading
}

/// A `#!` line that names a shell.
fn shebang(line: &str, through_shell: bool) -> Result<bool, Unaccounted> {
    let words: Vec<&str> = line[2..].split_whitespace().collect();
    let shell = match words.as_slice() {
        ["/usr/bin/env", shell, ..] => *shell,
        [shell, ..] => shell.rsplit('/').next().unwrap_or(shell),
        [] => "",
    };
    if through_shell || matches!(shell, "sh" | "bash" | "dash") {
        Ok(false)
    } else {
        Err(Unaccounted::NotShell(line.to_string()))
    }
}

/// `NAME` of the installer's uplink lookup, `NAME=$(ip -o -4 route show to
/// default | awk '{print $5}')` (`-o` and `-4` in either order or left out,
/// `show` or `list`, `to` or not).
fn uplink_lookup(line: &str) -> Option<String> {
    let (name, value) = line.split_once('=')?;
    let inner = value.strip_prefix("$(")?.strip_suffix(')')?;
    let (route, awk) = inner.split_once('|')?;
    let awk: String = awk.chars().filter(|c| !c.is_whitespace()).collect();
    if !shell::is_name(name) || awk != "awk'{print$5}'" {
        return None;
    }
    let mut words = route.split_whitespace().peekable();
    if !is_program(words.next()?, "ip") {
        return None;
    }
    let mut flags = BTreeSet::new();
    while let Some(flag) = words.next_if(|w| w.starts_with('-')) {
        if !matches!(flag, "-o" | "-4") || !flags.insert(flag) {
            return None;
        }
    }
    let rest: Vec<&str> = words.collect();
    matches!(
        rest.as_slice(),
        ["route", "show" | "list", "default"] | ["route", "show" | "list", "to", "default"]
    )
    .then(|| name.to_string())
}

/// `word` is `program`, bare or in one of the usual directories.
fn is_program(word: &str, program: &str) -> bool {
    ["", "/sbin/", "/usr/sbin/", "/bin/", "/usr/bin/"]
        .iter()
        .any(|dir| word.strip_prefix(dir) == Some(program))
}

/// One command line: `Ok(true)` when it does something the topology
/// accounts for, `Ok(false)` when it does nothing (blank, a comment, `set
/// -e`, `exit 0`).
fn command(
    line: &str,
    declared: Declared<'_>,
    uplink_vars: &BTreeSet<String>,
) -> Result<bool, Unaccounted> {
    let words = shell::words(line).map_err(|_| Unaccounted::ShellSyntax)?;
    let mut words = words.as_slice();
    if let [Word::Text(sudo), rest @ ..] = words
        && sudo == "sudo"
    {
        words = rest;
    }
    let Some((program, args)) = words.split_first() else {
        return Ok(false);
    };
    let Word::Text(program) = program else {
        return Err(Unaccounted::Command(line.to_string()));
    };
    if program == "set" && args.iter().all(harmless_set_option) {
        return Ok(false);
    }
    if program == "exit" && (args.is_empty() || args == [text("0")]) {
        return Ok(false);
    }
    if is_program(program, "ip") {
        return ip(line, args, declared).map(|()| true);
    }
    if ["iptables", "iptables-legacy", "iptables-nft"]
        .iter()
        .any(|p| is_program(program, p))
    {
        return masquerade::masquerade(args, declared, uplink_vars).map(|()| true);
    }
    Err(Unaccounted::Command(line.to_string()))
}

/// `-e`, `-eu`, `-x`, `-o pipefail`...: options that change no host state.
fn harmless_set_option(word: &Word) -> bool {
    match word {
        Word::Text(w) => {
            w.strip_prefix('-')
                .is_some_and(|f| !f.is_empty() && f.chars().all(|c| "euxvo".contains(c)))
                || matches!(w.as_str(), "pipefail" | "errexit" | "nounset" | "xtrace")
        }
        Word::Var(_) => false,
    }
}

/// The plain words of `args`, or the first variable.
fn plain(args: &[Word]) -> Result<Vec<&str>, Unaccounted> {
    args.iter()
        .map(|w| match w {
            Word::Text(t) => Ok(t.as_str()),
            Word::Var(v) => Err(Unaccounted::Variable(v.clone())),
        })
        .collect()
}

fn ip(line: &str, args: &[Word], declared: Declared<'_>) -> Result<(), Unaccounted> {
    let args = plain(args)?;
    match args.as_slice() {
        ["link", "add", rest @ ..] => link_add(rest, declared),
        ["link", "set", rest @ ..] => link_set(rest, declared),
        ["addr" | "address", "add", address, "dev", link] => address_add(address, link, declared),
        _ => Err(Unaccounted::Command(line.to_string())),
    }
}

fn link_add(args: &[&str], declared: Declared<'_>) -> Result<(), Unaccounted> {
    let args = match args {
        ["name" | "dev", rest @ ..] => rest,
        _ => args,
    };
    let Some((name, rest)) = args.split_first() else {
        return Err(Unaccounted::Command("ip link add".into()));
    };
    let Some(iface) = declared.topology.interfaces.get(*name) else {
        return Err(Unaccounted::Link(name.to_string()));
    };
    let accounted = match (rest, &iface.kind) {
        (["type", "bridge"], InterfaceKind::Bridge) => true,
        (
            ["type", "veth", "peer", "name", peer] | ["type", "veth", "peer", peer],
            InterfaceKind::Veth { peer: other } | InterfaceKind::VethPeer { of: other },
        ) => other == peer,
        _ => false,
    };
    if accounted {
        Ok(())
    } else {
        Err(Unaccounted::Setting {
            link: name.to_string(),
            setting: rest.join(" "),
        })
    }
}

fn link_set(args: &[&str], declared: Declared<'_>) -> Result<(), Unaccounted> {
    let args = match args {
        ["dev", rest @ ..] => rest,
        _ => args,
    };
    let Some((name, mut settings)) = args.split_first() else {
        return Err(Unaccounted::Command("ip link set".into()));
    };
    let Some(iface) = declared.topology.interfaces.get(*name) else {
        return Err(Unaccounted::Link(name.to_string()));
    };
    if settings.is_empty() {
        return Err(Unaccounted::Command(format!("ip link set {name}")));
    }
    let differs = |setting: String| Unaccounted::Setting {
        link: name.to_string(),
        setting,
    };
    while let Some((first, rest)) = settings.split_first() {
        settings = match (*first, rest) {
            ("up", rest) if iface.state == AdminState::Up => rest,
            ("down", rest) if iface.state == AdminState::Down => rest,
            ("master", [master, rest @ ..])
                if iface.master.as_ref().is_some_and(|m| m.value == *master) =>
            {
                rest
            }
            ("mtu", [mtu, rest @ ..]) if iface.mtu.is_some_and(|m| mtu.parse() == Ok(m)) => rest,
            ("master" | "mtu", [value, ..]) => return Err(differs(format!("{first} {value}"))),
            _ => return Err(differs(first.to_string())),
        };
    }
    Ok(())
}

fn address_add(address: &str, link: &str, declared: Declared<'_>) -> Result<(), Unaccounted> {
    let wanted: Option<IpNet> = address
        .parse()
        .ok()
        .or_else(|| address.parse::<std::net::IpAddr>().ok().map(IpNet::from));
    let declared_here = declared
        .topology
        .interfaces
        .get(link)
        .is_some_and(|i| i.addresses.iter().any(|a| Some(a.value) == wanted));
    if declared_here {
        Ok(())
    } else {
        Err(Unaccounted::Address {
            link: link.to_string(),
            address: address.to_string(),
        })
    }
}

#[cfg(test)]
#[path = "script_tests.rs"]
mod tests;
