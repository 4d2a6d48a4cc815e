//! Kolla-Ansible in tests: the stand-in for the actions that need Docker
//! (`tests/stand-in/kolla-ansible-stand-in`), what it recorded, and the
//! skip where `cargo xtask ci` could not make the kolla-ansible venv.

use std::path::Path;
use std::process::Output;

pub const STAND_IN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/stand-in/kolla-ansible-stand-in"
);

/// Whether a test that needs the kolla-ansible venv is to be skipped (said
/// on stderr): only when `cargo xtask ci` could not reach PyPI for it.
pub fn no_venv() -> bool {
    if let Ok(why) = std::env::var("AIO_TEST_NO_KOLLA_VENV") {
        eprintln!("skipped: no kolla-ansible venv ({why})");
        return true;
    }
    false
}

/// The actions the stand-in recorded in `record`, in order.
pub fn ran(record: &Path) -> Vec<String> {
    std::fs::read_to_string(record)
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect()
}

/// An operator's own globals, as an earlier install left them.
pub const OPERATORS_GLOBALS: &str = "---\n# Set by hand.\nenable_heat: \"no\"\nenable_manila: \"yes\"\nkolla_internal_vip_address: \"192.0.2.50\"\n";

/// A sandbox with the reference topology, Kolla's actions on, the real
/// venv, and the stand-in for actions that need Docker.
pub struct Kolla {
    pub sb: super::Sandbox,
    pub topology: std::path::PathBuf,
    /// Where the stand-in records the actions it ran.
    pub record: std::path::PathBuf,
    /// Kolla's config dir (`/etc/kolla` on a host).
    pub config: std::path::PathBuf,
}

impl Kolla {
    /// `None` (said on stderr) only when `cargo xtask ci` could not reach PyPI for the venv.
    pub fn new() -> Option<Kolla> {
        if no_venv() {
            return None;
        }
        let venv = Path::new(aio_sandbox::KOLLA_VENV);
        assert!(
            venv.join("bin/kolla-genpwd").exists(),
            "no kolla venv at {}: `cargo xtask ci` makes it",
            venv.display()
        );
        let sb = super::Sandbox::new();
        let topology = sb.reference_with_actions(true);
        Some(Kolla {
            record: sb.state.path().join("stand-in.record"),
            config: sb.state.path().join("kolla-etc"),
            sb,
            topology,
        })
    }

    /// `aio COMMAND EXTRA` with the stand-in recording, and its settings `env`.
    pub fn run_with(&self, env: &[(&str, &str)], command: &str, extra: &[&str]) -> Output {
        let record = self.record.display().to_string();
        let stand_in = [
            ("AIO_KOLLA_ANSIBLE", STAND_IN),
            ("AIO_STANDIN_RECORD", record.as_str()),
        ];
        self.sb
            .aio_with(&[&stand_in, env].concat(), command, &self.topology, extra)
    }

    /// `aio COMMAND EXTRA`, which must succeed: its stdout.
    pub fn ok(&self, command: &str, extra: &[&str]) -> String {
        let out = self.run_with(&[], command, extra);
        assert!(
            out.status.success(),
            "aio {command} {extra:?} failed: {}",
            super::said(&out)
        );
        super::stdout(&out)
    }

    /// `aio apply --yes EXTRA`, which must succeed: its stdout.
    pub fn apply(&self, extra: &[&str]) -> String {
        self.ok("apply", &[&["--yes"], extra].concat())
    }

    /// The actions the stand-in ran, in order.
    pub fn ran(&self) -> Vec<String> {
        ran(&self.record)
    }

    /// A file under the config dir.
    pub fn file(&self, path: &str) -> String {
        std::fs::read_to_string(self.config.join(path)).unwrap()
    }

    /// The operator's own `globals.yml`, as an earlier install left it.
    pub fn operators_globals(&self, text: &str) {
        std::fs::create_dir_all(&self.config).unwrap();
        std::fs::write(self.config.join("globals.yml"), text).unwrap();
    }

    /// What an operator's earlier install leaves besides its globals: a
    /// `passwords.yml` filled by the real `kolla-genpwd`.
    pub fn operators_passwords(&self) {
        let venv = Path::new(aio_sandbox::KOLLA_VENV);
        let example = venv.join("share/kolla-ansible/etc_examples/kolla/passwords.yml");
        let passwords = self.config.join("passwords.yml");
        std::fs::create_dir_all(&self.config).unwrap();
        std::fs::copy(example, &passwords).unwrap();
        let out = std::process::Command::new(venv.join("bin/kolla-genpwd"))
            .arg("-p")
            .arg(&passwords)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", super::said(&out));
    }

    /// Every global as Kolla-Ansible merges them: its own `_get_vars_files`
    /// for the order, PyYAML for the files, later ones winning.
    pub fn merged_globals(&self) -> serde_json::Value {
        let python = Path::new(aio_sandbox::KOLLA_VENV).join("bin/python");
        let script = "\
import json, os, sys, yaml
from kolla_ansible.ansible import _get_vars_files
cfg = sys.argv[1]
merged = {}
for f in [os.path.join(cfg, 'globals.yml')] + _get_vars_files(cfg):
    merged.update(yaml.safe_load(open(f)))
json.dump(merged, sys.stdout)
";
        let out = std::process::Command::new(python)
            .args(["-c", script])
            .arg(&self.config)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", super::stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

/// The key-by-key lines of the plan's Kolla detail (`+ globals: ...`,
/// `~ neutron.conf [DEFAULT] ...`), as written.
pub fn key_lines(plan: &str) -> Vec<&str> {
    plan.lines()
        .filter(|l| l.starts_with("      "))
        .map(str::trim)
        .filter(|l| ["+ ", "~ ", "- "].iter().any(|p| l.starts_with(p)))
        .collect()
}
