//! The JSON Schema of the format: current on disk, a valid 2020-12 schema,
//! accepting the reference topology, rejecting bad inputs it can see, named by
//! the reference's `#:schema` line, and every key of it documented in
//! docs/format.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A TOML file as the JSON value an editor's schema check sees.
fn as_json(path: &Path) -> Value {
    toml::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn bad_inputs() -> PathBuf {
    let shared = root().join("../shared/bad-inputs");
    if shared.is_dir() {
        shared
    } else {
        root().join("tests/bad-inputs")
    }
}

#[test]
fn checked_in_schema_is_current() {
    let generated = serde_json::to_string_pretty(&aio_topology::json_schema()).unwrap() + "\n";
    let on_disk = read(&root().join("docs/topology.schema.json"));
    assert!(
        on_disk == generated,
        "docs/topology.schema.json is stale: run `cargo xtask schema`"
    );
}

#[test]
fn schema_is_a_valid_draft_2020_12_schema() {
    let schema = aio_topology::json_schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::meta::validate(&schema).unwrap();
}

#[test]
fn reference_topology_matches_the_schema() {
    let validator = jsonschema::validator_for(&aio_topology::json_schema()).unwrap();
    let reference = as_json(&root().join("examples/openstack-aio.toml"));
    let errors: Vec<String> = validator
        .iter_errors(&reference)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn reference_names_the_schema_for_editors() {
    let reference = root().join("examples/openstack-aio.toml");
    let first = read(&reference)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let target = first
        .strip_prefix("#:schema ")
        .unwrap_or_else(|| panic!("first line is not `#:schema PATH`: {first}"));
    // Relative paths are relative to the TOML file, as taplo reads them.
    let schema = reference.parent().unwrap().join(target);
    assert!(schema.is_file(), "{} does not exist", schema.display());
}

/// Inputs that are wrong in a way a schema can say: a version, an unknown
/// key, a type, an enumeration, a range, a name's shape, a pattern.
#[test]
fn schema_rejects_bad_inputs_it_can_see() {
    let validator = jsonschema::validator_for(&aio_topology::json_schema()).unwrap();
    let expected = [
        "02-version-2.toml",
        "03-unknown-top-key.toml",
        "04-unknown-iface-key.toml",
        "05-name-too-long.toml",
        "06-name-slash.toml",
        "18-state-bad.toml",
        "19-mtu-small.toml",
        "20-mtu-string.toml",
        "21-type-unknown.toml",
        "25-nat-bad-source.toml",
        "27-ovs-tag-zero.toml",
        "28-ovs-tag-big.toml",
        "29-ovs-db-url.toml",
        "30-ovs-provider-unknown.toml",
        "32-kolla-vip.toml",
        "33-kolla-action.toml",
        "34-kolla-config-escape.toml",
        "35-sysctl-escape.toml",
        "38-addresses-string.toml",
    ];
    let dir = bad_inputs();
    let accepted: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|name| validator.is_valid(&as_json(&dir.join(name))))
        .collect();
    assert!(
        accepted.is_empty(),
        "the schema accepts {accepted:?} from {}",
        dir.display()
    );
}

/// Every property name anywhere in `schema`.
fn keys(schema: &Value, out: &mut BTreeSet<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                out.extend(properties.keys().cloned());
            }
            map.values().for_each(|v| keys(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn format_reference_names_every_key_of_the_schema() {
    let format = read(&root().join("docs/format.md"));
    let mut all = BTreeSet::new();
    keys(&aio_topology::json_schema(), &mut all);
    assert!(all.len() > 25, "only {} keys in the schema", all.len());
    let missing: Vec<&String> = all
        .iter()
        .filter(|k| !format.contains(&format!("`{k}`")) && !format.contains(&format!("`{k} =")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/format.md does not describe {missing:?}"
    );
}

/// `[nfs]` as the format reference writes it matches the schema; what an
/// editor can see wrong in it does not.
#[test]
fn nfs_section_as_documented_matches_the_schema_and_shapes_it_can_see_do_not() {
    let validator = jsonschema::validator_for(&aio_topology::json_schema()).unwrap();
    let nfs = |export: &str| -> Value {
        let text = format!(
            "version = 1\n[nfs]\ncinder_share = \"/mnt/nfs\"\naddress = \"${{uplink_address}}\"\n{export}"
        );
        toml::from_str(&text).unwrap()
    };
    let good = "[nfs.exports.\"/mnt/nfs\"]\n\
                clients = [\"${uplink_address}\", \"192.168.100.11\", \"192.168.100.0/24\", \"*\"]\n\
                options = [\"rw\", \"sync\", \"no_subtree_check\", \"anonuid=65534\", \"sec=krb5:sys\"]\n\
                owner = \"root\"\ngroup = \"0\"\nmode = \"0777\"\nany_client = true\n";
    let errors: Vec<String> = validator
        .iter_errors(&nfs(good))
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    for bad in [
        "[nfs.exports.\"/mnt/nfs/\"]\nclients = [\"10.0.0.1\"]\n",
        "[nfs.exports.\"mnt/nfs\"]\nclients = [\"10.0.0.1\"]\n",
        "[nfs.exports.\"/mnt/../nfs\"]\nclients = [\"10.0.0.1\"]\n",
        "[nfs.exports.\"/mnt/nfs\"]\nclients = [\"10.0.0.1/33\"]\n",
        "[nfs.exports.\"/mnt/nfs\"]\nclients = [\"${uplink}\"]\n",
        "[nfs.exports.\"/mnt/nfs\"]\nclients = [\"10.0.0.1\"]\noptions = [\"rx\"]\n",
        "[nfs.exports.\"/mnt/nfs\"]\nclients = [\"10.0.0.1\"]\nmode = 755\n",
        "[nfs.exports.\"/mnt/nfs\"]\nclients = [\"10.0.0.1\"]\nmode = \"0800\"\n",
        "[nfs.exports.\"/mnt/nfs\"]\nclients = [\"10.0.0.1\"]\nowner = \"a b\"\n",
        "[nfs.exports.\"/mnt/nfs\"]\noptions = [\"rw\"]\n",
    ] {
        assert!(!validator.is_valid(&nfs(bad)), "the schema accepts {bad}");
    }
}
