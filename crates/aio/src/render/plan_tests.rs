use super::*;
use aio_engine::{Detail, DetailLine, Kind, Pending, Reason, ResourceId};
use serde_json::{Value, json};

fn strip(s: &str) -> String {
    anstream::adapter::strip_str(s).to_string()
}

fn id(text: &str) -> ResourceId {
    ResourceId::parse(text).unwrap()
}

fn change(action: Action, before: Option<Value>, after: Option<Value>) -> Change {
    let attrs = |v: Option<Value>| v.map(|v| Attrs::from_value(v).unwrap());
    Change {
        id: ResourceId::new(&Kind::new("link"), "x"),
        provider: "netlink".into(),
        action,
        before: attrs(before),
        after: attrs(after).map(std::sync::Arc::new),
        deps: Vec::new(),
        detail: None,
    }
}

fn named(text: &str, c: Change) -> Change {
    Change { id: id(text), ..c }
}

/// Every kind of line a plan has.
fn plan() -> Plan {
    let diff = Detail::Diff(vec![
        DetailLine::new(LineKind::Header, "--- /etc/kolla/globals.yml"),
        DetailLine::new(LineKind::Header, "+++ /etc/kolla/globals.yml (aio)"),
        DetailLine::new(LineKind::Hunk, "@@ -10,3 +10,3 @@"),
        DetailLine::new(LineKind::Removed, "-enable_barbican: \"yes\""),
        DetailLine::new(LineKind::Added, "+enable_barbican: \"no\""),
        DetailLine::new(LineKind::Context, " enable_octavia_jobboard: \"no\""),
    ]);
    Plan {
        changes: vec![
            named(
                "link/dummy1",
                change(
                    Action::Create,
                    None,
                    Some(json!({"kind": "bridge", "state": "up"})),
                ),
            ),
            named(
                "link/v-lbaas",
                change(
                    Action::Update,
                    Some(json!({"state": "down"})),
                    Some(json!({"state": "up"})),
                ),
            ),
            named(
                "link/old",
                change(Action::Delete, Some(json!({"state": "up"})), None),
            ),
            named(
                "link/veth-br",
                change(
                    Action::Replace,
                    Some(json!({"kind": "dummy"})),
                    Some(json!({"kind": "veth"})),
                ),
            ),
            Change {
                detail: Some(diff),
                ..named("kolla/deployment", change(Action::Update, None, None))
            },
        ],
        waiting: vec![Pending {
            id: id("ovs-port/br-ex/v-lbaas-vlan"),
            reason: Reason::WaitsFor(id("ovs-bridge/br-ex")),
        }],
        unavailable: vec![Pending {
            id: id("ovs-bridge/br0"),
            reason: Reason::Unobservable {
                provider: "ovs".into(),
                error: "cannot reach unix:/run/openvswitch/db.sock".into(),
            },
        }],
        ..Plan::default()
    }
}

const TEXT: &str = "  + link/dummy1  (kind=bridge, state=up)
  ~ link/v-lbaas  state: down -> up
  - link/old
-/+ link/veth-br  kind: dummy -> veth
  ~ kolla/deployment
      --- /etc/kolla/globals.yml
      +++ /etc/kolla/globals.yml (aio)
      @@ -10,3 +10,3 @@
      -enable_barbican: \"yes\"
      +enable_barbican: \"no\"
       enable_octavia_jobboard: \"no\"
  … ovs-port/br-ex/v-lbaas-vlan  waiting: waits for ovs-bridge/br-ex
  ! ovs-bridge/br0  unavailable: cannot observe ovs: cannot reach unix:/run/openvswitch/db.sock
2 to create, 2 to change, 2 to delete, 1 waiting, 1 unavailable";

#[test]
fn the_text_says_each_change_on_its_line() {
    assert_eq!(text(&plan()), TEXT);
}

#[test]
fn painting_keeps_the_plain_text() {
    let painted = painted(&plan());
    assert_ne!(painted, TEXT);
    assert_eq!(strip(&painted), TEXT);
}

#[test]
fn each_symbol_has_its_colour() {
    let painted = painted(&plan());
    let line = |prefix: &str| {
        painted
            .lines()
            .find(|l| strip(l).starts_with(prefix))
            .unwrap()
            .to_string()
    };
    let starts = |prefix: &str, style: Style| {
        assert!(
            line(prefix).starts_with(&style.render().to_string()),
            "{prefix:?}: {:?}",
            line(prefix)
        );
    };
    starts("  + ", AnsiColor::Green.on_default());
    starts("  ~ link", AnsiColor::Yellow.on_default());
    starts("  - ", AnsiColor::Red.on_default());
    starts("-/+ ", AnsiColor::Magenta.on_default());
    starts("  … ", AnsiColor::Cyan.on_default());
    starts("  ! ", AnsiColor::Red.on_default().bold());
    starts("      +enable", AnsiColor::Green.on_default());
    starts("      -enable", AnsiColor::Red.on_default());
    // The summary and unchanged diff context stay plain.
    assert_eq!(
        line("2 to create"),
        "2 to create, 2 to change, 2 to delete, 1 waiting, 1 unavailable"
    );
    assert_eq!(
        line("       enable_octavia"),
        "       enable_octavia_jobboard: \"no\""
    );
}

#[test]
fn long_values_are_cut_short_and_short_ones_kept() {
    let long = "a".repeat(200);
    let plan = Plan {
        changes: vec![change(
            Action::Create,
            None,
            Some(json!({"kind": "bridge", "note": long})),
        )],
        ..Plan::default()
    };
    let (shown, cut) = elided(&plan);
    assert!(cut);
    let after = shown.changes[0].after.as_deref().unwrap();
    assert_eq!(after["kind"], "bridge");
    let note = after["note"].as_str().unwrap();
    assert_eq!(note.chars().count(), value::LONGEST_VALUE);
    assert!(note.ends_with('…'));
    assert!(!elided(&Plan::default()).1);
}

#[test]
fn values_that_differ_only_past_the_cut_stay_whole() {
    let (old, new) = ("a".repeat(100) + "1", "a".repeat(100) + "2");
    let plan = Plan {
        changes: vec![change(
            Action::Update,
            Some(json!({"note": old})),
            Some(json!({"note": new})),
        )],
        ..Plan::default()
    };
    let (shown, _) = elided(&plan);
    assert_eq!(shown.changes[0].differences().len(), 1);
    assert!(text(&shown).contains(&new));
}

#[test]
fn a_watch_line_is_the_change_alone() {
    let c = &plan().changes[1];
    assert_eq!(change_line(c).trim(), "~ link/v-lbaas  state: down -> up");
}

#[test]
fn an_adopted_object_shows_how_it_differs_from_the_topology() {
    let port = |before| {
        named(
            "ovs-port/br-ex/v-lbaas-vlan",
            change(
                Action::Adopt,
                Some(before),
                Some(json!({"tag": 1718, "bridge": "br-ex"})),
            ),
        )
    };
    assert_eq!(
        change_line(&port(json!({"tag": 99, "bridge": "br-ex"}))),
        "  = ovs-port/br-ex/v-lbaas-vlan  tag: 99 -> 1718  (as found; `aio apply` then changes it)"
    );
    assert_eq!(
        change_line(&port(json!({"tag": 1718, "bridge": "br-ex"}))),
        "  = ovs-port/br-ex/v-lbaas-vlan"
    );
}

#[test]
fn a_detail_is_styled_by_the_kind_of_each_line_never_by_its_first_characters() {
    let kolla = |detail| Change {
        detail: Some(detail),
        ..named("kolla/deployment", change(Action::Update, None, None))
    };
    let plan = Plan {
        changes: vec![
            kolla(Detail::Diff(vec![
                DetailLine::new(LineKind::Changed, "~ globals: horizon_port: 8080 -> 8081"),
                DetailLine::new(LineKind::Added, "+ globals: enable_cinder: \"yes\""),
                DetailLine::new(LineKind::Removed, "- globals: gone: 1"),
                DetailLine::new(LineKind::Context, "actions: deploy"),
            ])),
            named(
                "sysctl/x",
                kolla(Detail::from("- words, not a removal\n+ nor an addition")),
            ),
        ],
        ..Plan::default()
    };
    let painted = painted(&plan);
    let style_of = |text: &str| {
        let line = painted.lines().find(|l| strip(l).trim() == text).unwrap();
        [
            AnsiColor::Green.on_default(),
            AnsiColor::Yellow.on_default(),
            AnsiColor::Red.on_default(),
        ]
        .into_iter()
        .find(|s| line.starts_with(&s.render().to_string()))
    };
    assert_eq!(
        style_of("~ globals: horizon_port: 8080 -> 8081"),
        Some(AnsiColor::Yellow.on_default())
    );
    assert_eq!(
        style_of("+ globals: enable_cinder: \"yes\""),
        Some(AnsiColor::Green.on_default())
    );
    assert_eq!(
        style_of("- globals: gone: 1"),
        Some(AnsiColor::Red.on_default())
    );
    assert_eq!(style_of("actions: deploy"), None);
    assert_eq!(style_of("- words, not a removal"), None);
    assert_eq!(style_of("+ nor an addition"), None);
    assert!(
        text(&plan).contains("      ~ globals: horizon_port: 8080 -> 8081\n      + globals"),
        "{}",
        text(&plan)
    );
}
