//! A plan as a person reads it: one coloured line per change, by its leading
//! symbol (`+` green, `~` yellow, `-` red, `-/+` magenta, `…` cyan, `!` red
//! bold), and long values cut short unless `-v`.

use anstyle::{AnsiColor, Style};
use serde_json::Value;

use aio_engine::Plan;

use crate::output::styled;

/// Values longer than this (in characters) are cut short in a plan's lines.
pub const LONGEST_VALUE: usize = 80;

/// The style of one line of a plan's text, if it has one.
fn style_of(line: &str) -> Option<Style> {
    let colour = |c: AnsiColor| c.on_default();
    // A change's line starts with its symbol right-aligned in three columns;
    // a provider's detail under it (a unified diff) is indented by six.
    let styles = [
        ("      +++", Style::new().bold()),
        ("      ---", Style::new().bold()),
        ("      @@", colour(AnsiColor::Cyan)),
        ("      +", colour(AnsiColor::Green)),
        ("      -", colour(AnsiColor::Red)),
        ("  + ", colour(AnsiColor::Green)),
        ("  ~ ", colour(AnsiColor::Yellow)),
        ("  - ", colour(AnsiColor::Red)),
        ("-/+ ", colour(AnsiColor::Magenta)),
        ("  … ", colour(AnsiColor::Cyan)),
        ("  ! ", colour(AnsiColor::Red).bold()),
    ];
    styles
        .into_iter()
        .find(|(prefix, _)| line.starts_with(prefix))
        .map(|(_, style)| style)
}

/// `text` (a plan's `Display`) with each line styled by its leading symbol.
pub fn paint(text: &str) -> String {
    text.split('\n')
        .map(|line| match style_of(line) {
            Some(style) => styled(style, line),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `v` cut to [`LONGEST_VALUE`] characters, if it is longer.
fn elide(v: &Value) -> Option<Value> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Null => return None,
        other => other.to_string(),
    };
    if text.chars().count() <= LONGEST_VALUE {
        return None;
    }
    let head: String = text.chars().take(LONGEST_VALUE - 1).collect();
    Some(Value::String(format!("{head}…")))
}

/// The plan with long attribute values cut short, for its one-line display;
/// whether anything was cut. Two different values that would look the same
/// once cut are left whole, so a change never shows as `x -> x`.
pub fn elided(plan: &Plan) -> (Plan, bool) {
    let mut shown = plan.clone();
    let mut cut = false;
    for c in shown.changes.iter_mut().filter(|c| c.detail.is_none()) {
        let (before, after) = (c.before.clone(), c.after.clone());
        for (attrs, other) in [(&mut c.before, &after), (&mut c.after, &before)] {
            for (k, v) in attrs.iter_mut().flatten() {
                let Some(short) = elide(v) else { continue };
                let theirs = other.as_ref().and_then(|o| o.get(k));
                if theirs.is_some_and(|o| o != v && elide(o).as_ref() == Some(&short)) {
                    continue;
                }
                *v = short;
                cut = true;
            }
        }
    }
    (shown, cut)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aio_engine::{Action, Change, ResourceId};
    use serde_json::json;

    fn strip(s: &str) -> String {
        anstream::adapter::strip_str(s).to_string()
    }

    const PLAN: &str = "  + link/dummy1  (kind=bridge, state=up)
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
  ! ovs-bridge/br0  unavailable: cannot reach unix:/run/openvswitch/db.sock
1 to create, 2 to change, 1 to delete";

    #[test]
    fn painting_keeps_the_plain_text() {
        let painted = paint(PLAN);
        assert_ne!(painted, PLAN);
        assert_eq!(strip(&painted), PLAN);
    }

    #[test]
    fn each_symbol_has_its_colour() {
        let line = |prefix: &str| {
            let painted = paint(PLAN);
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
        assert_eq!(line("1 to create"), "1 to create, 2 to change, 1 to delete");
        assert_eq!(
            line("       enable_octavia"),
            "       enable_octavia_jobboard: \"no\""
        );
    }

    fn change(action: Action, before: Option<Value>, after: Option<Value>) -> Change {
        let attrs = |v: Option<Value>| v.map(|v| v.as_object().unwrap().clone());
        Change {
            id: ResourceId::new("link", "x"),
            provider: "netlink".into(),
            action,
            before: attrs(before),
            after: attrs(after),
            deps: Vec::new(),
            detail: None,
        }
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
        let after = shown.changes[0].after.as_ref().unwrap();
        assert_eq!(after["kind"], "bridge");
        let note = after["note"].as_str().unwrap();
        assert_eq!(note.chars().count(), LONGEST_VALUE);
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
        assert!(shown.to_string().contains(&new));
    }
}
