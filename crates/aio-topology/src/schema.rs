//! The JSON Schema of `topology.toml`, for editors (taplo, Even Better TOML)
//! and other tools. The structure comes from the parser's own types in `raw`;
//! the leaves below give the schema of each located value, built from the
//! same constants the validator checks against. The schema catches what an
//! editor can see (unknown keys, types, enumerations, ranges, name shapes);
//! the rules between values (a veth's peer, a master that is a bridge, the
//! uplink) are `aio validate`'s.

pub(crate) mod leaves;

use serde_json::Value;

use crate::raw::RawTopology;

/// The schema of the topology format, draft 2020-12.
pub fn json_schema() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut schema = generator.into_root_schema_for::<RawTopology>().to_value();
    tidy(&mut schema);
    // `$schema`, `title` and `description` first, for whoever reads the file.
    let Value::Object(mut rest) = schema else {
        unreachable!("a root schema is an object")
    };
    let mut root = serde_json::Map::new();
    for key in ["$schema", "title", "description"] {
        if let Some(v) = rest.remove(key) {
            root.insert(key.into(), v);
        }
    }
    root.extend(rest);
    Value::Object(root)
}

/// TOML has no null, but schemars lets every `Option` field be null: those
/// alternatives are dropped. Descriptions, from doc comments, become one line
/// per paragraph.
fn tidy(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for key in ["type", "enum"] {
                if let Some(Value::Array(items)) = map.get_mut(key) {
                    items.retain(|t| !t.is_null() && t != "null");
                    if key == "type" && items.len() == 1 {
                        let only = items.remove(0);
                        map.insert(key.into(), only);
                    }
                }
            }
            if let Some(Value::Array(any_of)) = map.get_mut("anyOf") {
                any_of.retain(|s| s.get("type").is_none_or(|t| t != "null"));
                if any_of.len() == 1 {
                    let Some(Value::Object(only)) = any_of.pop() else {
                        unreachable!("schemas in anyOf are objects")
                    };
                    map.remove("anyOf");
                    for (k, v) in only {
                        map.entry(k).or_insert(v);
                    }
                }
            }
            if let Some(Value::String(d)) = map.get_mut("description") {
                *d = d
                    .split("\n\n")
                    .map(|p| p.replace('\n', " "))
                    .collect::<Vec<_>>()
                    .join("\n\n");
            }
            map.values_mut().for_each(tidy);
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}
