//! An operator's Kolla deployment stays theirs: adopted rather than
//! deployed again, its venv used as it is, files written without running
//! actions when the record says they ran. Real files in temp dirs, the real
//! kolla-ansible venv for kolla-genpwd and inventories, the named stand-in
//! (`crates/aio/tests/stand-in/kolla-ansible-stand-in`) for actions, and
//! stand-ins for `docker` and `pip`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use aio_engine::{Action, Engine, Plan, Resource};
use aio_kolla::{Deployment, KollaProvider};
use aio_topology::Facts;

const STAND_IN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../aio/tests/stand-in/kolla-ansible-stand-in"
);
const ACTIONS: [&str; 3] = ["prechecks", "deploy", "post-deploy"];

fn venv_ok() -> bool {
    if let Ok(why) = std::env::var("AIO_TEST_NO_KOLLA_VENV") {
        eprintln!("skipped: no kolla-ansible venv ({why})");
        return false;
    }
    let venv = Path::new(aio_sandbox::KOLLA_VENV);
    assert!(
        venv.join("bin/kolla-genpwd").exists(),
        "no kolla venv at {}: `cargo xtask ci` makes it",
        venv.display()
    );
    true
}

fn script(path: &Path, text: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{text}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A config dir, a state dir, and a deployment of `venv` with three actions
/// run by the stand-in, which records them.
struct Case {
    dir: tempfile::TempDir,
    venv: PathBuf,
}

impl Case {
    fn new(venv: &Path) -> Case {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("bin")).unwrap();
        let record = dir.path().join("stand-in.record");
        // Named as the stand-in, as the tests' rule for actions wants.
        script(
            &dir.path().join("bin/kolla-ansible-stand-in"),
            &format!(
                "AIO_STANDIN_RECORD={} exec {STAND_IN} \"$@\"",
                record.display()
            ),
        );
        Case {
            dir,
            venv: venv.to_path_buf(),
        }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("etc")
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    fn deployment(&self, globals: &str) -> Deployment {
        let text = format!(
            "version = 1\n[kolla]\nvip = \"192.0.2.250\"\nvenv = \"{}\"\nconfig_dir = \"{}\"\nactions = {ACTIONS:?}\n[kolla.globals]\nkolla_internal_vip_address = \"${{vip}}\"\n{globals}",
            self.venv.display(),
            self.config().display()
        );
        let topology = aio_topology::parse_str("t.toml", text).unwrap();
        let facts = Facts {
            vip: Some("192.0.2.250".parse().unwrap()),
            ..Facts::default()
        };
        Deployment::new(&topology, &facts).unwrap().unwrap()
    }

    /// An engine with the Kolla provider; `docker` answers adoption's question.
    fn engine(&self, deployment: &Deployment, docker: &Path) -> (Engine, Vec<Resource>) {
        let provider = KollaProvider::new(deployment.clone(), self.state(), None)
            .with_program(self.dir.path().join("bin/kolla-ansible-stand-in"))
            .with_docker(docker);
        let engine = Engine::new(self.state()).with_provider(Box::new(provider));
        (engine, vec![deployment.resource()])
    }

    /// A `docker` that lists `names` (`None`: one that fails, as with no daemon).
    fn docker(&self, names: Option<&[&str]>) -> PathBuf {
        let path = self.dir.path().join("bin/docker");
        match names {
            Some(names) => script(&path, &format!("printf '%s\\n' {}", names.join(" "))),
            None => script(
                &path,
                "echo 'Cannot connect to the Docker daemon' >&2; exit 1",
            ),
        }
        path
    }

    /// What the stand-in ran, in order.
    fn ran(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("stand-in.record"))
            .unwrap_or_default()
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect()
    }

    /// What an operator's Kolla leaves: their globals.yml, a filled passwords.yml.
    fn operators_kolla(&self) -> String {
        let globals = "---\n# The operator's own settings.\nenable_cinder: \"yes\"\nkolla_internal_vip_address: \"192.0.2.250\"\n";
        std::fs::create_dir_all(self.config()).unwrap();
        std::fs::write(self.config().join("globals.yml"), globals).unwrap();
        let example = self
            .venv
            .join("share/kolla-ansible/etc_examples/kolla/passwords.yml");
        std::fs::copy(example, self.config().join("passwords.yml")).unwrap();
        let out = std::process::Command::new(self.venv.join("bin/kolla-genpwd"))
            .arg("-p")
            .arg(self.config().join("passwords.yml"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        globals.to_string()
    }
}

fn kolla_change(plan: &Plan) -> &aio_engine::Change {
    plan.changes
        .iter()
        .find(|c| c.id == aio_kolla::resource_id())
        .unwrap_or_else(|| panic!("no kolla change in {plan:#?}"))
}

#[tokio::test]
async fn an_adopted_deployment_runs_no_action_until_an_input_changes() {
    if !venv_ok() {
        return;
    }
    let case = Case::new(Path::new(aio_sandbox::KOLLA_VENV));
    let globals = case.operators_kolla();
    let deployment = case.deployment("enable_barbican = \"yes\"\n");
    let docker = case.docker(Some(&["kolla_toolbox", "keystone", "horizon"]));
    let (engine, desired) = case.engine(&deployment, &docker);

    // An ordinary plan would run every action: it notes the adoption instead.
    let plan = engine.plan(&desired).await.unwrap();
    assert!(
        plan.adoptable
            .iter()
            .any(|p| p.id == aio_kolla::resource_id()),
        "{plan:#?}"
    );
    let adoption = engine.plan_adoption(&desired).await.unwrap();
    let change = kolla_change(&adoption);
    assert_eq!(change.action, Action::Adopt);
    let detail = change.detail.clone().unwrap().to_string();
    assert!(
        detail.contains("actions: none: prechecks, deploy, post-deploy recorded as done")
            && detail.contains("+ globals: enable_barbican: \"yes\""),
        "{detail}"
    );
    engine.apply(&adoption, &desired).await.unwrap();
    assert!(case.ran().is_empty(), "adopting ran {:?}", case.ran());
    assert_eq!(
        std::fs::read_to_string(case.config().join("globals.yml")).unwrap(),
        globals,
        "the operator's globals.yml was written"
    );
    assert!(case.config().join("globals.d/aio.yml").exists());
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(case.state().join("kolla/record.json")).unwrap())
            .unwrap();
    assert_eq!(record["done"], serde_json::json!(ACTIONS));

    // Converged, and no longer adoptable: aio runs it now.
    let plan = engine.plan(&desired).await.unwrap();
    assert!(
        plan.is_converged() && plan.adoptable.is_empty(),
        "{plan:#?}"
    );

    // A file to write again, the inputs the same: writing is the only change.
    std::fs::remove_file(case.config().join("globals.d/aio.yml")).unwrap();
    let plan = engine.plan(&desired).await.unwrap();
    let detail = kolla_change(&plan).detail.clone().unwrap().to_string();
    assert!(
        detail.contains("actions: none: they already ran for these inputs"),
        "{detail}"
    );
    engine.apply(&plan, &desired).await.unwrap();
    assert!(
        case.ran().is_empty(),
        "rewriting a file ran {:?}",
        case.ran()
    );
    assert!(case.config().join("globals.d/aio.yml").exists());

    // An input that changes runs the actions.
    let changed = case.deployment("enable_barbican = \"no\"\n");
    let (engine, desired) = case.engine(&changed, &docker);
    let plan = engine.plan(&desired).await.unwrap();
    let detail = kolla_change(&plan).detail.clone().unwrap().to_string();
    assert!(
        detail.contains("~ globals: enable_barbican: \"yes\" -> \"no\"")
            && detail.contains("actions: prechecks, deploy, post-deploy"),
        "{detail}"
    );
    engine.apply(&plan, &desired).await.unwrap();
    assert_eq!(case.ran(), ACTIONS);
}

#[tokio::test]
async fn adoption_checks_kollas_containers_where_docker_answers() {
    if !venv_ok() {
        return;
    }
    let case = Case::new(Path::new(aio_sandbox::KOLLA_VENV));
    let deployment = case.deployment("");
    // Nothing of Kolla's: nothing to adopt.
    let (engine, desired) = case.engine(&deployment, Path::new("/nonexistent"));
    assert!(
        engine.plan(&desired).await.unwrap().adoptable.is_empty(),
        "adoptable without passwords.yml"
    );
    case.operators_kolla();

    // Docker answers without Kolla's containers: refused, nothing recorded.
    let docker = case.docker(Some(&["some_other_app"]));
    let (engine, desired) = case.engine(&deployment, &docker);
    let adoption = engine.plan_adoption(&desired).await.unwrap();
    let error = engine.apply(&adoption, &desired).await.unwrap_err();
    assert!(error.to_string().contains("not kolla_toolbox"), "{error}");
    assert!(!case.state().join("kolla/record.json").exists());

    // Docker does not answer (no daemon): not checked, said so, adopted.
    let docker = case.docker(None);
    let (engine, desired) = case.engine(&deployment, &docker);
    let adoption = engine.plan_adoption(&desired).await.unwrap();
    engine.apply(&adoption, &desired).await.unwrap();
    assert!(case.ran().is_empty());
    assert!(engine.plan(&desired).await.unwrap().is_converged());
}

/// A venv in `dir` that holds kolla-ansible `version`, whose `pip` records
/// its arguments, with Kolla's shipped inventories.
fn fake_venv(dir: &Path, version: &str) -> PathBuf {
    let venv = dir.join("venv");
    let site = venv.join("lib/python3.11/site-packages");
    std::fs::create_dir_all(site.join(format!("kolla_ansible-{version}.dist-info"))).unwrap();
    std::fs::create_dir_all(venv.join("bin")).unwrap();
    std::os::unix::fs::symlink(
        Path::new(aio_sandbox::KOLLA_VENV).join("bin/python"),
        venv.join("bin/python"),
    )
    .unwrap();
    script(
        &venv.join("bin/pip"),
        &format!("echo \"$@\" >> {}", dir.join("pip.record").display()),
    );
    let inventory = venv.join("share/kolla-ansible/ansible/inventory");
    std::fs::create_dir_all(&inventory).unwrap();
    std::fs::copy(
        Path::new(aio_sandbox::KOLLA_VENV).join("share/kolla-ansible/ansible/inventory/all-in-one"),
        inventory.join("all-in-one"),
    )
    .unwrap();
    venv
}

#[tokio::test]
async fn a_venv_that_already_holds_kolla_ansible_20_is_used_as_it_is() {
    if !venv_ok() {
        return;
    }
    for (version, pip_runs) in [("20.6.0", false), ("20.3.1.dev45", false), ("19.4.1", true)] {
        let outer = tempfile::tempdir().unwrap();
        let venv = fake_venv(outer.path(), version);
        let case = Case::new(&venv);
        std::fs::create_dir_all(case.config()).unwrap();
        std::fs::write(case.config().join("passwords.yml"), "a: x\n").unwrap();
        let deployment = case.deployment("");
        let (engine, desired) = case.engine(&deployment, Path::new("/nonexistent"));
        let plan = engine.plan(&desired).await.unwrap();
        let detail = kolla_change(&plan).detail.clone().unwrap().to_string();
        assert_eq!(
            detail.contains("pip install"),
            pip_runs,
            "{version}: {detail}"
        );
        // The version check after pip would fail for 19.4.1: only pip's call matters here.
        let _ = engine.apply(&plan, &desired).await;
        let pip = std::fs::read_to_string(outer.path().join("pip.record")).unwrap_or_default();
        if pip_runs {
            assert_eq!(
                pip.trim(),
                "install --disable-pip-version-check kolla-ansible>=20,<21"
            );
        } else {
            assert_eq!(pip, "", "{version}: pip ran");
            assert!(
                !case.state().join("kolla/venv.log").exists(),
                "{version}: the venv was installed"
            );
            assert_eq!(case.ran(), ACTIONS, "{version}");
        }
        // Never a second venv: the one named is the one used.
        let entries: Vec<_> = std::fs::read_dir(&venv)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(entries.len(), 3, "{version}: {entries:?}");
    }
}

#[tokio::test]
async fn only_a_globals_yml_an_older_aio_wrote_whole_is_replaced() {
    if !venv_ok() {
        return;
    }
    for (before, replaced) in [
        (
            format!(
                "{}---\nenable_barbican: \"yes\"\n",
                aio_kolla::globals::OLD_HEADER
            ),
            true,
        ),
        ("---\nenable_barbican: \"yes\"\n".to_string(), false),
    ] {
        let case = Case::new(Path::new(aio_sandbox::KOLLA_VENV));
        case.operators_kolla();
        let base = case.config().join("globals.yml");
        std::fs::write(&base, &before).unwrap();
        std::fs::create_dir_all(case.state().join("kolla")).unwrap();
        let deployment = case.deployment("");
        let (engine, desired) = case.engine(&deployment, Path::new("/nonexistent"));
        let plan = engine.plan(&desired).await.unwrap();
        let detail = kolla_change(&plan).detail.clone().unwrap().to_string();
        assert_eq!(
            detail.contains("replaced by a minimal one (an older aio wrote it whole)"),
            replaced,
            "{detail}"
        );
        engine.apply(&plan, &desired).await.unwrap();
        let after = std::fs::read_to_string(&base).unwrap();
        if replaced {
            assert_eq!(after, aio_kolla::globals::MINIMAL);
        } else {
            assert_eq!(after, before);
        }
    }
}
