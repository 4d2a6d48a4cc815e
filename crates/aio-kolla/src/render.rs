//! The files aio writes under the config dir, rendered from the topology.
//!
//! `globals.yml` goes through a YAML emitter (yaml-rust2), never string
//! pasting: a value holding `: `, `#`, quotes or a newline stays one string,
//! and words a YAML 1.1 reader (Ansible's PyYAML) would take for booleans,
//! like `yes`, stay strings too.

use aio_topology::{Facts, Located, MissingFact, Template};
use indexmap::IndexMap;
use std::fmt::Write as _;
use yaml_rust2::{Yaml, YamlEmitter, yaml::Hash};

pub const HEADER: &str =
    "# Written by aio from [kolla.globals] in topology.toml: aio apply rewrites this file whole.\n";

/// `[kolla.globals]` as YAML, substitutions filled from `facts`.
pub fn globals(
    globals: &IndexMap<String, Located<toml::Value>>,
    facts: &Facts,
) -> Result<String, MissingFact> {
    let mut hash = Hash::new();
    for (key, value) in globals {
        hash.insert(Yaml::String(key.clone()), yaml(&value.value, facts)?);
    }
    let mut out = String::new();
    YamlEmitter::new(&mut out)
        .dump(&Yaml::Hash(hash))
        .expect("writing to a String cannot fail");
    Ok(format!("{HEADER}{out}\n"))
}

fn yaml(value: &toml::Value, facts: &Facts) -> Result<Yaml, MissingFact> {
    Ok(match value {
        toml::Value::String(s) => Yaml::String(resolve(s, facts)?),
        toml::Value::Integer(i) => Yaml::Integer(*i),
        toml::Value::Float(f) => Yaml::Real(f.to_string()),
        toml::Value::Boolean(b) => Yaml::Boolean(*b),
        toml::Value::Datetime(d) => Yaml::String(d.to_string()),
        toml::Value::Array(items) => Yaml::Array(
            items
                .iter()
                .map(|v| yaml(v, facts))
                .collect::<Result<_, _>>()?,
        ),
        toml::Value::Table(t) => {
            let mut hash = Hash::new();
            for (k, v) in t {
                hash.insert(Yaml::String(k.clone()), yaml(v, facts)?);
            }
            Yaml::Hash(hash)
        }
    })
}

/// A string with `${...}` filled; the topology was validated, so it parses.
fn resolve(s: &str, facts: &Facts) -> Result<String, MissingFact> {
    Template::parse(s).map_or_else(|_| Ok(s.to_string()), |t| t.resolve(facts))
}

/// One INI file: `[SECTION]` then `key = value` lines, in file order.
pub fn ini(sections: &IndexMap<String, IndexMap<String, toml::Value>>) -> String {
    let mut out = String::from(
        "# Written by aio from [kolla.config] in topology.toml: aio apply rewrites this file whole.\n",
    );
    for (section, keys) in sections {
        let _ = writeln!(out, "\n[{section}]");
        for (key, value) in keys {
            let text = match value {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let _ = writeln!(out, "{key} = {text}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn located(v: toml::Value) -> Located<toml::Value> {
        Located {
            value: v,
            span: 0..0,
        }
    }

    #[test]
    fn awkward_strings_stay_one_string_and_yes_stays_a_string() {
        let mut g = IndexMap::new();
        g.insert(
            "a".to_string(),
            located(toml::Value::String("x: y # z\nw: injected".into())),
        );
        g.insert("b".to_string(), located(toml::Value::String("yes".into())));
        g.insert(
            "c".to_string(),
            located(toml::Value::String("{{ jinja }}".into())),
        );
        g.insert(
            "d".to_string(),
            located(toml::Value::String("${uplink}".into())),
        );
        let facts = Facts {
            uplink: Some("eth0".into()),
            ..Facts::default()
        };
        let text = globals(&g, &facts).unwrap();
        let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap();
        let doc = &docs[0];
        assert_eq!(doc["a"].as_str(), Some("x: y # z\nw: injected"));
        assert!(doc["w"].is_badvalue(), "a key was injected:\n{text}");
        assert!(text.contains("b: \"yes\""), "{text}");
        assert_eq!(doc["c"].as_str(), Some("{{ jinja }}"));
        assert_eq!(doc["d"].as_str(), Some("eth0"));
    }
}
