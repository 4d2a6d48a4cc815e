//! Machine output: `aio apply --json` is newline-delimited JSON, each line
//! valid against docs/apply.schema.json, its plans against
//! docs/plan.schema.json.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Sandbox, root, said, stdout};
use serde_json::Value;

fn schema(file: &str) -> Value {
    let text = std::fs::read_to_string(root().join("docs").join(file)).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn apply_json_is_one_valid_object_per_line_ending_in_the_result() {
    let sb = Sandbox::new();
    let t = sb.reference();
    // The plan's own schema checks the `plan` fields.
    let apply_text = serde_json::to_string(&schema("apply.schema.json")).unwrap();
    let apply_schema: Value = serde_json::from_str(
        &apply_text.replace(r#"{"$ref":"plan.schema.json"}"#, r#"{"type":"object"}"#),
    )
    .unwrap();
    jsonschema::meta::validate(&apply_schema).unwrap();
    let lines = jsonschema::validator_for(&apply_schema).unwrap();
    let plans = jsonschema::validator_for(&schema("plan.schema.json")).unwrap();

    for round in ["first", "second"] {
        let out = sb.aio("apply", &t, &["--yes", "--json"]);
        assert!(out.status.success(), "{}", said(&out));
        let text = stdout(&out);
        let events: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{round}: `{l}`: {e}")))
            .collect();
        for e in &events {
            assert!(lines.is_valid(e), "{round}: {e}");
            if let Some(plan) = e.get("plan") {
                assert!(plans.is_valid(plan), "{round}: {plan}");
            }
        }
        let kinds: Vec<&str> = events
            .iter()
            .map(|e| e["event"].as_str().unwrap())
            .collect();
        assert_eq!(kinds.first(), Some(&"plan"), "{round}: {kinds:?}");
        assert_eq!(kinds.last(), Some(&"result"), "{round}: {kinds:?}");
        let result = events.last().unwrap();
        match round {
            "first" => assert!(result["applied"].as_u64().unwrap() > 0, "{result}"),
            _ => assert_eq!(result["applied"], 0, "{result}"),
        }
    }
}

#[test]
fn show_json_validates_before_and_after_apply_and_after_drift() {
    let sb = Sandbox::new();
    let t = sb.reference();
    let show = schema("show.schema.json");
    jsonschema::meta::validate(&show).unwrap();
    let validator = jsonschema::validator_for(&show).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for step in ["before", "after", "drift"] {
        match step {
            "after" => drop(sb.apply(&t)),
            "drift" => drop(sb.ip(&["link", "set", "v-lbaas", "down"])),
            _ => {}
        }
        let out = sb.aio("show", &t, &["--json"]);
        assert!(out.status.success(), "{step}: {}", said(&out));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{step}: {errors:?}\n{doc:#}");
        for r in doc["resources"].as_array().unwrap() {
            seen.insert(r["status"].as_str().unwrap().to_string());
        }
    }
    for status in ["missing", "converged", "drifted"] {
        assert!(
            seen.contains(status),
            "no {status} resource was shown: {seen:?}"
        );
    }
}
