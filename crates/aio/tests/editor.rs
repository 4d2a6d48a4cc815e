//! What an editor with Taplo (the TOML language server's CLI, installed by
//! `cargo xtask setup`) sees: the example validates against its `#:schema`,
//! a misspelt key is flagged at its line, and `aio init` names the schema
//! installed beside the binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{REFERENCE, Sandbox, said, stdout};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The Taplo CLI, or `None` (said on stderr) when `cargo xtask ci` could not install it.
fn taplo() -> Option<PathBuf> {
    if let Ok(why) = std::env::var("AIO_TEST_NO_TAPLO") {
        eprintln!("skipped: no Taplo ({why})");
        return None;
    }
    let taplo = PathBuf::from(aio_sandbox::TAPLO);
    assert!(
        taplo.exists(),
        "no {}: `cargo xtask setup` installs it",
        taplo.display()
    );
    Some(taplo)
}

/// `taplo check FILE`, with no configuration file of the checkout's.
/// Runs a binary this test just copied. Until every child that another
/// test thread forked while the copy's file was open for writing has
/// exec'd (and so closed its inherited descriptor), the kernel refuses to
/// run it with ETXTBSY: tried again until it runs, for at most 10 s.
fn run_copied(command: &mut Command) -> Output {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match command.output() {
            Err(e)
                if e.kind() == std::io::ErrorKind::ExecutableFileBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            result => return result.unwrap(),
        }
    }
}

fn check(taplo: &Path, file: &Path) -> Output {
    Command::new(taplo)
        .args(["check", "--colors", "never", "--no-auto-config"])
        .arg(file)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// `text` with `from` replaced once, which must be there.
fn misspelt(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in the file");
    text.replacen(from, to, 1)
}

#[test]
fn the_example_validates_against_its_schema_and_a_misspelt_key_is_flagged() {
    let Some(taplo) = taplo() else { return };
    let out = check(&taplo, Path::new(REFERENCE));
    assert!(out.status.success(), "{}", said(&out));

    // A copy with one key misspelt, laid out as in the checkout (its
    // #:schema line is relative: ../docs/).
    let tree = tempfile::tempdir().unwrap();
    for dir in ["examples", "docs"] {
        std::fs::create_dir(tree.path().join(dir)).unwrap();
    }
    std::fs::copy(
        common::root().join("docs/topology.schema.json"),
        tree.path().join("docs/topology.schema.json"),
    )
    .unwrap();
    let text = std::fs::read_to_string(REFERENCE).unwrap();
    let bad = tree.path().join("examples/openstack-aio.toml");
    std::fs::write(&bad, misspelt(&text, "\nmtu = 9000", "\nmut = 9000")).unwrap();
    let out = check(&taplo, &bad);
    assert!(!out.status.success(), "taplo accepted `mut`");
    assert!(
        said(&out).contains("'mut' was unexpected"),
        "{}",
        said(&out)
    );
}

#[test]
fn aio_init_names_the_schema_installed_beside_the_binary() {
    let Some(taplo) = taplo() else { return };
    // An installation under a prefix: PREFIX/bin/aio, PREFIX/share/aio/topology.schema.json.
    let prefix = tempfile::tempdir().unwrap();
    let aio = prefix.path().join("bin/aio");
    std::fs::create_dir_all(aio.parent().unwrap()).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_aio"), &aio).unwrap();
    let schema = prefix.path().join("share/aio/topology.schema.json");
    std::fs::create_dir_all(schema.parent().unwrap()).unwrap();
    let printed = run_copied(Command::new(&aio).args(["schema", "topology"]));
    std::fs::write(&schema, &printed.stdout).unwrap();

    let sb = Sandbox::new();
    let file = sb.state.path().join("topology.toml");
    let out = run_copied(
        Command::new(&aio)
            .args(["init", "--netns", &sb.ns, "-f"])
            .arg(&file),
    );
    assert!(out.status.success(), "{}", said(&out));
    assert!(!stdout(&out).contains("not installed"), "{}", stdout(&out));
    let text = std::fs::read_to_string(&file).unwrap();
    let first = text.lines().next().unwrap();
    assert_eq!(
        first,
        format!("#:schema {}", schema.canonicalize().unwrap().display())
    );

    // A copy elsewhere keeps working: the line is absolute.
    let copy = tempfile::tempdir().unwrap();
    let copied = copy.path().join("topology.toml");
    std::fs::copy(&file, &copied).unwrap();
    let out = check(&taplo, &copied);
    assert!(out.status.success(), "{}", said(&out));
    std::fs::write(&copied, misspelt(&text, "\nversion = 1", "\nversoin = 1")).unwrap();
    let out = check(&taplo, &copied);
    assert!(
        !out.status.success() && said(&out).contains("'versoin' was unexpected"),
        "{}",
        said(&out)
    );
}

#[test]
fn aio_init_says_when_the_schema_it_names_is_not_installed() {
    let sb = Sandbox::new();
    let file = sb.state.path().join("topology.toml");
    let out = common::run(&["init", "--netns", &sb.ns, "-f", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", said(&out));
    let text = std::fs::read_to_string(&file).unwrap();
    let line = text.lines().next().unwrap();
    let named = line.strip_prefix("#:schema ").unwrap();
    if Path::new(named).exists() {
        return; // aio is installed on this machine: nothing to say.
    }
    assert_eq!(named, "/usr/share/aio/topology.schema.json");
    assert!(
        stdout(&out).contains("which is not installed"),
        "{}",
        stdout(&out)
    );
}
