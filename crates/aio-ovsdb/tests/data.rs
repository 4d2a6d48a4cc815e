//! OVSDB data and operations to and from their JSON, without a server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aio_ovsdb::{Atom, Condition, DataError, Datum, Function, Mutation, Mutator, Op, Row, Until};
use serde_json::json;

#[test]
fn atoms_keep_their_kind() {
    for (json, atom) in [
        (json!(5), Atom::Integer(5)),
        (json!(-1), Atom::Integer(-1)),
        (json!(1.0), Atom::Real(1.0)),
        (json!(2.5e3), Atom::Real(2500.0)),
        (json!(true), Atom::Boolean(true)),
        (json!("br0"), Atom::String("br0".into())),
        (json!(["uuid", "a1"]), Atom::uuid("a1")),
        (json!(["named-uuid", "p"]), Atom::named("p")),
    ] {
        assert_eq!(Atom::from_json(&json).unwrap(), atom, "{json}");
        assert_eq!(atom.to_json(), json);
    }
    assert!(Atom::from_json(&json!(u64::MAX)).is_err());
    assert!(Atom::from_json(&json!(["uuid"])).is_err());
    assert!(Atom::from_json(&json!(null)).is_err());
}

#[test]
fn sets_and_maps_round_trip() {
    for json in [
        json!(["set", []]),
        json!(["set", [1, 2]]),
        json!(["set", [["uuid", "a"]]]),
        json!(["map", []]),
        json!(["map", [["owner", "aio"], ["k", "v"]]]),
        json!(["map", [[1, ["uuid", "q"]]]]),
        json!("bare"),
    ] {
        assert_eq!(Datum::from_json(&json).unwrap().to_json(), json);
    }
    assert!(Datum::from_json(&json!(["map", [["lonely"]]])).is_err());
    assert!(Datum::from_json(&json!(["set", [["set", []]]])).is_err());
}

#[test]
fn a_bare_atom_reads_as_a_set_of_one() {
    let bare = Datum::from_json(&json!(["uuid", "a"])).unwrap();
    let wrapped = Datum::from_json(&json!(["set", [["uuid", "a"]]])).unwrap();
    let empty = Datum::from_json(&json!(["set", []])).unwrap();
    assert_eq!(bare.as_uuids().unwrap(), ["a"]);
    assert_eq!(wrapped.as_uuids().unwrap(), ["a"]);
    assert!(empty.as_uuids().unwrap().is_empty());

    assert_eq!(Datum::from(10).as_optional_integer().unwrap(), Some(10));
    assert_eq!(Datum::set([10]).as_optional_integer().unwrap(), Some(10));
    assert_eq!(empty.as_optional_integer().unwrap(), None);
    assert!(Datum::set([1, 2]).as_optional_integer().is_err());
    assert!(Datum::from("10").as_optional_integer().is_err());
    assert_eq!(
        Datum::from("system").as_optional_string().unwrap(),
        Some("system")
    );
}

#[test]
fn string_maps_read_as_maps() {
    let map = Datum::map([("owner", "aio"), ("role", "ex")]);
    let read = map.as_string_map().unwrap();
    assert_eq!(read["owner"], "aio");
    assert_eq!(read.len(), 2);
    assert!(Datum::map([(1, "x")]).as_string_map().is_err());
    assert!(Datum::empty_set().as_string_map().is_err());
}

#[test]
fn row_readers_name_the_column() {
    let row =
        Row::from_json(&json!({"_uuid": ["uuid", "u1"], "name": "p0", "tag": "ten"})).unwrap();
    assert_eq!(row.uuid().unwrap(), "u1");
    assert_eq!(row.string("name").unwrap(), "p0");
    let err = row.optional_integer("tag").unwrap_err();
    assert!(matches!(&err, DataError::Column { column, .. } if column == "tag"));
    assert_eq!(
        err.to_string(),
        "column `tag`: expected an optional integer, found \"ten\""
    );
    assert_eq!(
        row.get("trunks"),
        Err(DataError::MissingColumn("trunks".into()))
    );
    let bad = Row::from_json(&json!({"ports": ["set", [null]]})).unwrap_err();
    assert!(bad.to_string().starts_with("column `ports`: "), "{bad}");
    let text = r#"{"name": "p0", "ports": ["set", [null]]}"#;
    let bad = serde_json::from_str::<Row>(text).unwrap_err();
    assert_eq!(
        bad.to_string(),
        "column `ports`: invalid type: null, expected an atom at line 1 column 37"
    );
}

#[test]
fn operations_serialize_as_rfc_7047_says() {
    let p0 = || [Condition::eq("name", "p0")];
    let tag = Row::new().with("tag", 10);
    let cases = [
        (
            Op::select("Port", p0()),
            json!({"op": "select", "table": "Port", "where": [["name", "==", "p0"]]}),
        ),
        (
            Op::select_columns("Port", [], &["_uuid", "tag"]),
            json!({"op": "select", "table": "Port", "where": [], "columns": ["_uuid", "tag"]}),
        ),
        (
            Op::insert("Port", tag.clone(), Some("port")),
            json!({"op": "insert", "table": "Port", "row": {"tag": 10}, "uuid-name": "port"}),
        ),
        (
            Op::insert("Port", Row::new(), None),
            json!({"op": "insert", "table": "Port", "row": {}}),
        ),
        (
            Op::update("Port", p0(), tag.clone()),
            json!({"op": "update", "table": "Port", "where": [["name", "==", "p0"]], "row": {"tag": 10}}),
        ),
        (
            Op::mutate(
                "Bridge",
                [Condition::includes("ports", Atom::uuid("u"))],
                [
                    Mutation::delete("ports", Datum::set([Atom::uuid("u")])),
                    Mutation::new("n", Mutator::Add, 1),
                ],
            ),
            json!({"op": "mutate", "table": "Bridge",
                   "where": [["ports", "includes", ["uuid", "u"]]],
                   "mutations": [["ports", "delete", ["set", [["uuid", "u"]]]], ["n", "+=", 1]]}),
        ),
        (
            Op::delete("Port", [Condition::new("tag", Function::Ge, 100)]),
            json!({"op": "delete", "table": "Port", "where": [["tag", ">=", 100]]}),
        ),
        (
            Op::wait("Port", p0(), &["tag"], Until::Ne, [tag], Some(0)),
            json!({"op": "wait", "table": "Port", "where": [["name", "==", "p0"]],
                   "columns": ["tag"], "until": "!=", "rows": [{"tag": 10}], "timeout": 0}),
        ),
        (
            Op::comment("why"),
            json!({"op": "comment", "comment": "why"}),
        ),
    ];
    for (op, expected) in cases {
        assert_eq!(op.to_json(), expected, "{}", op.name());
        assert_eq!(op.name(), expected["op"]);
    }
}
