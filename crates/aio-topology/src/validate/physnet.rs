//! A physnet MTU the plumbing can carry.
//!
//! Neutron gives a flat or VLAN network on a physical network the smaller of
//! `global_physnet_mtu` (`[kolla.config."neutron.conf".DEFAULT]`, 1500 when
//! unset) and that physnet's entry in `physical_network_mtus`
//! (`[kolla.config."neutron/ml2_conf.ini".ml2]`, `physnet1:9000,physnet2:1500`).
//! Instances and amphorae get that MTU and send frames that size, so every
//! link aio makes on the physnet's path must carry it:
//!
//! - `neutron_external_interface` (Kolla's port of the physnet's bridge), its
//!   veth peer and the bridge that peer is enslaved to (`master`);
//! - each port of the physnet's bridge under `[ovs.bridges.BRIDGE.ports]`
//!   that is a declared interface (the VLAN access ports, such as Octavia's
//!   `v-lbaas-vlan`), its veth peer and that peer's `master`.
//!
//! Only the first physnet is checked: Kolla maps `physnet1` to the first of
//! `neutron_bridge_name` (`br-ex` when unset) and plugs the first of
//! `neutron_external_interface` into it. Further comma-listed bridges and
//! interfaces are left alone.
//!
//! A bridge or veth aio creates with no `mtu` counts as 1500, the kernel's
//! default; an existing interface with no `mtu` is not checked, nor is a
//! value holding Jinja (`{{`).

use std::collections::HashSet;

use crate::diag::{Diagnostic, Span};
use crate::model::{InterfaceKind, Kolla, OvsPortType, Topology};

/// The physnet checked: Kolla's first.
pub const PHYSNET: &str = "physnet1";
/// Kolla's `neutron_bridge_name` when unset (with OVS or OVN).
pub const DEFAULT_BRIDGE: &str = "br-ex";
/// Neutron's `global_physnet_mtu` when unset.
pub const NEUTRON_DEFAULT_MTU: u32 = 1500;
/// The MTU the kernel gives a new veth or bridge.
pub const KERNEL_DEFAULT_MTU: u32 = 1500;

const GLOBAL: (&str, &str, &str) = ("neutron.conf", "DEFAULT", "global_physnet_mtu");
const PER_PHYSNET: (&str, &str, &str) = ("neutron/ml2_conf.ini", "ml2", "physical_network_mtus");
const MTUS: std::ops::RangeInclusive<i64> = 68..=65535;

/// Which setting gives the physnet its MTU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MtuSource {
    /// `global_physnet_mtu` is not set: Neutron's 1500.
    NeutronDefault,
    Global,
    PerPhysnet,
}

/// The MTU Neutron gives [`PHYSNET`]'s networks, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhysnetMtu {
    pub physnet: &'static str,
    pub mtu: u32,
    pub source: MtuSource,
}

impl PhysnetMtu {
    /// Where the MTU comes from, for a message.
    pub fn origin(&self) -> String {
        let (file, section, key) = match self.source {
            MtuSource::NeutronDefault => {
                return "Neutron's default: global_physnet_mtu is not set".into();
            }
            MtuSource::Global => GLOBAL,
            MtuSource::PerPhysnet => PER_PHYSNET,
        };
        format!("{key} in [kolla.config.\"{file}\".{section}]")
    }

    /// How to bring the MTU down to `to`.
    fn lower(&self, to: u32) -> String {
        match self.source {
            MtuSource::NeutronDefault => format!(
                "set global_physnet_mtu = {to} in [kolla.config.\"{}\".{}]",
                GLOBAL.0, GLOBAL.1
            ),
            MtuSource::Global => format!("lower global_physnet_mtu to {to}"),
            MtuSource::PerPhysnet => {
                format!("lower {} in physical_network_mtus to {to}", self.physnet)
            }
        }
    }
}

impl Topology {
    /// The MTU Neutron gives [`PHYSNET`]; `None` without `[kolla]`, when a
    /// setting is not a number (Jinja, or an error `validate` reports), or
    /// when no positive MTU is set.
    pub fn physnet_mtu(&self) -> Option<PhysnetMtu> {
        physnet_mtu(self.kolla.as_ref()?, &mut Vec::new())
    }
}

pub(crate) fn check(t: &Topology) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(kolla) = &t.kolla else {
        return out;
    };
    let Some(physnet) = physnet_mtu(kolla, &mut out) else {
        return out;
    };
    let bridge = physnet_bridge(kolla);
    let mut entries: Vec<(String, String)> = Vec::new();
    if let Some(ext) = first_item(kolla, "neutron_external_interface") {
        let role = format!("neutron_external_interface, {PHYSNET}'s port on {bridge}");
        entries.push((ext, role));
    }
    let ports = t.ovs.as_ref().and_then(|o| o.bridges.get(&bridge));
    for port in ports.into_iter().flat_map(|b| b.ports.values()) {
        if port.kind == OvsPortType::System {
            let role = format!("a port of {bridge}, {PHYSNET}'s bridge");
            entries.push((port.name.clone(), role));
        }
    }
    let mut seen = HashSet::new();
    let mut visit = |name: &str, role: String| {
        if seen.insert(name.to_string()) {
            out.extend(link(t, &physnet, name, &role));
        }
    };
    for (name, role) in entries {
        visit(&name, role);
        let peer = match t.interfaces.get(&name).map(|i| &i.kind) {
            Some(InterfaceKind::Veth { peer }) => peer,
            Some(InterfaceKind::VethPeer { of }) => of,
            _ => continue,
        };
        visit(peer, format!("the veth peer of {name}"));
        if let Some(m) = t.interfaces.get(peer).and_then(|p| p.master.as_ref()) {
            visit(&m.value, format!("the bridge {peer} is enslaved to"));
        }
    }
    out
}

/// The error for link `name` if aio makes it and it cannot carry the physnet.
fn link(t: &Topology, physnet: &PhysnetMtu, name: &str, role: &str) -> Option<Diagnostic> {
    let iface = t.interfaces.get(name)?;
    // A refused `mtu` is reported already; an existing link keeps its own.
    if iface.mtu.is_none() && (iface.mtu_span.is_some() || iface.kind == InterfaceKind::Existing) {
        return None;
    }
    let mtu = iface.mtu.unwrap_or(KERNEL_DEFAULT_MTU);
    if mtu >= physnet.mtu {
        return None;
    }
    let unset = match iface.mtu {
        None => " (no `mtu`: the kernel's default)",
        Some(_) => "",
    };
    let (net, wanted) = (physnet.physnet, physnet.mtu);
    let message = format!(
        "\"{name}\" ({role}) has MTU {mtu}{unset}, less than {net}'s MTU {wanted} ({})",
        physnet.origin()
    );
    // A veth peer without a table of its own is located at its pair's name.
    let implicit = matches!(&iface.kind, InterfaceKind::VethPeer { of }
        if t.interfaces.get(of).is_some_and(|o| o.name_span == iface.name_span));
    let set = if implicit {
        format!("add [interfaces.{name}] with mtu = {wanted}")
    } else {
        format!("set mtu = {wanted} in [interfaces.{name}]")
    };
    let help = format!(
        "{net}'s frames of up to {wanted} bytes cross this link: {set}, or {}",
        physnet.lower(mtu)
    );
    let span = iface.mtu_span.clone().unwrap_or(iface.name_span.clone());
    Some(Diagnostic::new(span, message).help(help))
}

/// [`PHYSNET`]'s bridge: the first of `neutron_bridge_name`, else [`DEFAULT_BRIDGE`].
pub(crate) fn physnet_bridge(kolla: &Kolla) -> String {
    first_item(kolla, "neutron_bridge_name").unwrap_or(DEFAULT_BRIDGE.into())
}

/// The first of a comma-listed string global, if it is plain text.
pub(crate) fn first_item(kolla: &Kolla, key: &str) -> Option<String> {
    let toml::Value::String(s) = &kolla.globals.get(key)?.value else {
        return None;
    };
    let first = s.split(',').next()?.trim();
    let plain = !first.is_empty() && !first.contains("{{") && !first.contains("${");
    plain.then(|| first.to_string())
}

/// What a setting says: a number, or nothing aio can judge (Jinja, or an
/// error already reported).
enum Read {
    Number(i64),
    Unknown,
}

/// Neutron's MTU for [`PHYSNET`]; malformed settings are reported to `out`.
fn physnet_mtu(kolla: &Kolla, out: &mut Vec<Diagnostic>) -> Option<PhysnetMtu> {
    let (global, global_source) = match setting(kolla, GLOBAL) {
        None => (
            Read::Number(NEUTRON_DEFAULT_MTU.into()),
            MtuSource::NeutronDefault,
        ),
        Some((value, span)) => (mtu_value(value, &span, out), MtuSource::Global),
    };
    let per_physnet =
        setting(kolla, PER_PHYSNET).and_then(|(v, span)| physnet_entry(v, &span, out));
    let Read::Number(global) = global else {
        return None;
    };
    // Neutron leaves out a global MTU of zero or less.
    let from_global = (global > 0).then_some((global, global_source));
    let (mtu, source) = match per_physnet {
        Some(Read::Unknown) => return None,
        Some(Read::Number(m)) => match from_global {
            Some(g) if g.0 < m => g,
            _ => (m, MtuSource::PerPhysnet),
        },
        None => from_global?,
    };
    let mtu = u32::try_from(mtu).ok()?;
    Some(PhysnetMtu {
        physnet: PHYSNET,
        mtu,
        source,
    })
}

fn setting<'a>(kolla: &'a Kolla, at: (&str, &str, &str)) -> Option<(&'a toml::Value, Span)> {
    let (file, section, key) = at;
    let value = kolla.config.get(file)?.get(section)?.get(key)?;
    let key = (file.to_string(), section.to_string(), key.to_string());
    let span = kolla.spans.config.get(&key).cloned().unwrap_or(0..0);
    Some((value, span))
}

/// `global_physnet_mtu`; zero or less is Neutron's "none".
fn mtu_value(value: &toml::Value, span: &Span, out: &mut Vec<Diagnostic>) -> Read {
    let number = match value {
        toml::Value::Integer(i) => Some(*i),
        toml::Value::String(s) if s.contains("{{") => return Read::Unknown,
        toml::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    match number {
        Some(n) if n <= 0 || MTUS.contains(&n) => Read::Number(n),
        _ => {
            out.push(not_an_mtu(span, GLOBAL.2, value));
            Read::Unknown
        }
    }
}

fn not_an_mtu(span: &Span, what: &str, value: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::new(span.clone(), format!("{what} {value} is not an MTU")).help(format!(
        "Neutron reads an integer from {} to {}, e.g. 9000",
        MTUS.start(),
        MTUS.end()
    ))
}

/// [`PHYSNET`]'s entry in `physical_network_mtus` (the last, if repeated),
/// `None` when it has none.
fn physnet_entry(value: &toml::Value, span: &Span, out: &mut Vec<Diagnostic>) -> Option<Read> {
    let text = match value {
        toml::Value::String(s) if s.contains("{{") => return Some(Read::Unknown),
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut found = None;
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let entry = item
            .split_once(':')
            .map(|(name, mtu)| (name.trim(), mtu.trim()))
            .filter(|(name, mtu)| !name.is_empty() && !mtu.contains(':'));
        let Some((name, mtu)) = entry else {
            let message = format!("physical_network_mtus entry \"{item}\" is not PHYSNET:MTU");
            let help =
                "write comma-separated PHYSNET:MTU pairs, e.g. \"physnet1:9000,physnet2:1500\"";
            out.push(Diagnostic::new(span.clone(), message).help(help));
            return Some(Read::Unknown);
        };
        match mtu.parse::<i64>().ok().filter(|n| MTUS.contains(n)) {
            None => {
                let what = format!("{name}'s MTU in physical_network_mtus");
                out.push(not_an_mtu(span, &what, format!("\"{mtu}\"")));
                return Some(Read::Unknown);
            }
            Some(n) if name == PHYSNET => found = Some(Read::Number(n)),
            Some(_) => {}
        }
    }
    found
}

#[cfg(test)]
#[path = "physnet_tests.rs"]
mod tests;
