//! Every file of the bad-input corpus is rejected by the format alone (or,
//! for rules about the uplink's address, once the facts are known), at the
//! line its header names and mentioning the word it names.

use std::path::PathBuf;

use aio_topology::Facts;

fn corpus_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = root.join("../shared/bad-inputs");
    if shared.is_dir() {
        shared
    } else {
        root.join("tests/bad-inputs")
    }
}

/// `# key: value` from the file's header.
fn header<'a>(text: &'a str, key: &str) -> &'a str {
    let prefix = format!("# {key}: ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` header"))
}

#[test]
fn every_bad_input_is_rejected_where_its_header_says() {
    let facts = Facts {
        uplink: Some("eth0".into()),
        uplink_address: Some("192.0.2.10".parse().unwrap()),
        vip: None,
    };
    let mut files: Vec<_> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 38,
        "corpus not found in {}",
        corpus_dir().display()
    );
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let err = match aio_topology::parse_str(&path, text.as_str()) {
            Err(e) => e,
            Ok(t) => t
                .check_facts(&facts)
                .expect_err(&format!("{} was accepted", path.display())),
        };
        let rendered = err.to_string();
        let mention = header(&text, "mentions");
        assert!(
            rendered.contains(mention),
            "{}: no `{mention}` in:\n{rendered}",
            path.display()
        );
        if let Ok(line) = header(&text, "line").parse::<usize>() {
            let (got, _) = err.file.line_col(err.items[0].span.start);
            assert!(
                got.abs_diff(line) <= 1,
                "{}: line {got}, header says {line}:\n{rendered}",
                path.display()
            );
        }
        println!("{rendered}\n");
    }
}

#[test]
fn reference_topology_validates() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/openstack-aio.toml");
    let t = aio_topology::load(&path).unwrap();
    assert_eq!(t.interfaces.len(), 5);
    assert!(matches!(
        t.interfaces["veth-br"].kind,
        aio_topology::InterfaceKind::VethPeer { .. }
    ));
}
