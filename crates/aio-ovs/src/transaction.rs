//! One apply's changes as one OVSDB transaction.
//!
//! Order inside it: guards first (`wait` with timeout 0: every row the plan
//! saw still looks the same, every row it is about to create is still
//! absent), then deletions, creations, updates. Operations see the effects
//! of earlier ones, so a port can be added to a bridge inserted just before.
//! Subtle points of the Open_vSwitch schema:
//! - `Bridge`, `Port` and `Interface` are not root tables: a row nothing
//!   references is garbage-collected at commit. A new bridge must be added to
//!   `Open_vSwitch.bridges` in the same transaction, and a port is removed by
//!   taking it out of `Bridge.ports`, not by deleting its row.
//! - A system interface has the empty string as its `type`.

use aio_engine::{Action, AttrValue, Attrs, Change, TypedAttrs};
use aio_ovsdb::{Atom, Condition, Datum, Mutation, Op, Row, Until};
use std::collections::BTreeMap;

use crate::id::{OvsId, PortAttrs, PortId, PortType};
use crate::snapshot::Snapshot;
use crate::{OWNER, OWNER_KEY};

/// What a change is about; the engine gives this provider only its own ids.
fn target(c: &Change) -> OvsId {
    OvsId::of(&c.id).unwrap_or_else(|| OvsId::Bridge(c.id.name().to_string()))
}

pub fn build(changes: &[&Change], snapshot: &Snapshot) -> Vec<Op> {
    let mut ops = Vec::new();
    for c in changes {
        ops.push(guard(c, snapshot));
    }
    let mut root = snapshot.root.clone().map(Atom::uuid);
    for c in changes
        .iter()
        .filter(|c| matches!(c.action, Action::Delete | Action::Replace))
    {
        delete(c, snapshot, &mut ops);
    }
    // New ports join their bridge in one mutation per bridge: one per port
    // makes the server rewrite the bridge's set of ports each time.
    let mut joining: BTreeMap<String, Vec<Atom>> = BTreeMap::new();
    for (i, c) in changes
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.action, Action::Create | Action::Replace))
    {
        create(c, i, &mut root, &mut ops, &mut joining);
    }
    for (bridge, ports) in joining {
        let add = Mutation::insert("ports", Datum::Set(ports));
        ops.push(Op::mutate(
            "Bridge",
            [Condition::eq("name", bridge.as_str())],
            [add],
        ));
    }
    for c in changes.iter().filter(|c| c.action == Action::Update) {
        update(c, &mut ops);
    }
    for c in changes.iter().filter(|c| c.action == Action::Adopt) {
        ops.push(claim(c));
    }
    ops.push(Op::comment("aio apply"));
    ops
}

/// `wait` (now, no timeout) until the row named like the change is exactly as observed.
fn guard(c: &Change, snapshot: &Snapshot) -> Op {
    let id = target(c);
    let (table, name, seen, columns): (_, _, Option<&Row>, &[&str]) = match &id {
        OvsId::Bridge(b) => (
            "Bridge",
            b,
            snapshot.bridges.get(b).map(|b| &b.row),
            &["_uuid", "datapath_type", "fail_mode"],
        ),
        OvsId::Port(PortId { port: name, .. }) => (
            "Port",
            name,
            snapshot.ports.get(name).map(|p| &p.row),
            &["_uuid", "tag", "trunks"],
        ),
    };
    let rows: Vec<Row> = seen
        .map(|row| {
            columns.iter().fold(Row::new(), |r, col| {
                r.with(
                    col,
                    row.get(col).cloned().unwrap_or_else(|_| Datum::empty_set()),
                )
            })
        })
        .into_iter()
        .collect();
    Op::wait(
        table,
        [Condition::eq("name", name.as_str())],
        columns,
        Until::Eq,
        rows,
        Some(0),
    )
}

fn delete(c: &Change, snapshot: &Snapshot, ops: &mut Vec<Op>) {
    match &target(c) {
        OvsId::Bridge(b) => {
            if let (Some(bridge), Some(root)) = (snapshot.bridges.get(b), &snapshot.root) {
                let drop = Mutation::delete("bridges", Datum::set([Atom::uuid(&bridge.uuid)]));
                ops.push(Op::mutate(
                    "Open_vSwitch",
                    [Condition::eq("_uuid", Atom::uuid(root))],
                    [drop],
                ));
            }
        }
        OvsId::Port(PortId { port: name, .. }) => {
            if let Some(port) = snapshot.ports.get(name)
                && let Some(holder) = &port.bridge
            {
                let drop = Mutation::delete("ports", Datum::set([Atom::uuid(&port.uuid)]));
                ops.push(Op::mutate(
                    "Bridge",
                    [Condition::eq("name", holder.as_str())],
                    [drop],
                ));
            }
        }
    }
}

/// Marks the row as aio's: taken over, it is aio's to delete later.
fn claim(c: &Change) -> Op {
    let id = target(c);
    let (table, name) = match &id {
        OvsId::Bridge(b) => ("Bridge", b),
        OvsId::Port(PortId { port: name, .. }) => ("Port", name),
    };
    Op::mutate(
        table,
        [Condition::eq("name", name.as_str())],
        [Mutation::insert("external_ids", owned())],
    )
}

fn owned() -> Datum {
    Datum::map([(OWNER_KEY, OWNER)])
}

/// A port row and its interface's, both named `name`; the interface is inserted here.
fn port_row(name: &str, port: &PortAttrs, label: &str, ops: &mut Vec<Op>) -> Row {
    let iface_label = format!("{label}_iface");
    ops.push(Op::insert(
        "Interface",
        Row::new()
            .with("name", name)
            .with("type", port.kind.column()),
        Some(&iface_label),
    ));
    Row::new()
        .with("name", name)
        .with("interfaces", Datum::set([Atom::named(iface_label)]))
        .with("tag", tag(port))
        .with("trunks", trunks(port))
        .with("external_ids", owned())
}

fn tag(port: &PortAttrs) -> Datum {
    port.tag
        .map_or_else(Datum::empty_set, |t| Datum::from(i64::from(t)))
}

fn trunks(port: &PortAttrs) -> Datum {
    Datum::set(port.trunks.iter().map(|t| Atom::from(i64::from(*t))))
}

fn port_attrs(attrs: Option<&Attrs>) -> PortAttrs {
    attrs
        .and_then(|a| PortAttrs::from_attrs(a).ok())
        .unwrap_or_default()
}

fn create(
    c: &Change,
    i: usize,
    root: &mut Option<Atom>,
    ops: &mut Vec<Op>,
    joining: &mut BTreeMap<String, Vec<Atom>>,
) {
    let after = c.after.clone().unwrap_or_default();
    let label = format!("c{i}");
    match target(c) {
        OvsId::Bridge(b) => {
            // The bridge's local port, as `ovs-vsctl add-br` makes it.
            let local = PortAttrs {
                kind: PortType::Internal,
                ..PortAttrs::default()
            };
            let port = port_row(&b, &local, &format!("{label}_local"), ops);
            ops.push(Op::insert("Port", port, Some(&format!("{label}_local"))));
            let mut row = Row::new()
                .with("name", b.as_str())
                .with("ports", Datum::set([Atom::named(format!("{label}_local"))]))
                .with("external_ids", owned());
            for col in ["datapath_type", "fail_mode"] {
                if let Some(v) = after.get(col).and_then(AttrValue::as_str) {
                    row = row.with(col, v);
                }
            }
            ops.push(Op::insert("Bridge", row, Some(&label)));
            let add = Mutation::insert("bridges", Datum::set([Atom::named(&label)]));
            let root = root.get_or_insert_with(|| {
                // A fresh database has no root row yet (`ovs-vsctl init` would make it).
                ops.push(Op::insert("Open_vSwitch", Row::new(), Some("root")));
                Atom::named("root")
            });
            ops.push(Op::mutate(
                "Open_vSwitch",
                [Condition::eq("_uuid", root.clone())],
                [add],
            ));
        }
        OvsId::Port(PortId { bridge, port: name }) => {
            let row = port_row(&name, &port_attrs(Some(&after)), &label, ops);
            ops.push(Op::insert("Port", row, Some(&label)));
            joining.entry(bridge).or_default().push(Atom::named(label));
        }
    }
}

fn update(c: &Change, ops: &mut Vec<Op>) {
    let after = c.after.clone().unwrap_or_default();
    let changed: Vec<&str> = c.differences().into_iter().map(|(k, _, _)| k).collect();
    match &target(c) {
        OvsId::Bridge(b) => {
            let row = changed.iter().fold(Row::new(), |row, col| {
                match after.get(col).and_then(AttrValue::as_str) {
                    Some(v) => row.with(col, v),
                    None => row.with(col, Datum::empty_set()),
                }
            });
            ops.push(Op::update(
                "Bridge",
                [Condition::eq("name", b.as_str())],
                row,
            ));
        }
        OvsId::Port(PortId { port: name, .. }) => {
            let port = port_attrs(Some(&after));
            ops.push(Op::update(
                "Port",
                [Condition::eq("name", name.as_str())],
                Row::new()
                    .with("tag", tag(&port))
                    .with("trunks", trunks(&port)),
            ));
            if changed.contains(&"type") {
                ops.push(Op::update(
                    "Interface",
                    [Condition::eq("name", name.as_str())],
                    Row::new().with("type", port.kind.column()),
                ));
            }
        }
    }
}
