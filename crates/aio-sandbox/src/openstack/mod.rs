//! A real OpenStack control plane (2025.1, the series kolla-ansible 20
//! deploys) for the sandbox's OVN: a private MariaDB, Keystone and
//! neutron-server with ML2/OVN, all inside the caller's network namespace,
//! from the venv at [`OPENSTACK_VENV`] (`cargo xtask ci` makes it from
//! `crates/aio-sandbox/openstack/`).
//!
//! [`Cloud::start`] copies a cached, migrated and bootstrapped database
//! (see `template.rs`; the first start builds it) into a private directory,
//! starts the three daemons there and returns once an authenticated
//! `openstack network list` works. Each daemon is killed by its process
//! group when the cloud is dropped, and the directory goes with it.

mod client;
mod daemon;
mod http;
mod keystone;
mod mariadb;
mod server;
mod settings;
mod stack;
mod template;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use daemon::Daemon;
use mariadb::Mariadb;

pub use client::CLOUD;
pub use settings::{
    NeutronSettings, OPENSTACK_VENV, OvnEndpoints, PINS_MARKER, REGION, pins_digest, venv_has_pins,
};
pub use stack::{Stack, tests_may_run};

/// How long each step of [`Cloud::start`] (or the last
/// [`Cloud::start_again`]) took.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Building the cached database, if this start had to.
    pub template_build: Option<Duration>,
    /// Copying it into the run's directory.
    pub copy: Duration,
    pub mariadb: Duration,
    /// Until `GET /v3` answers.
    pub keystone: Duration,
    /// Until `GET /` answers.
    pub neutron: Duration,
    /// Until an authenticated `openstack network list` works.
    pub api_ready: Duration,
}

/// Why the cloud cannot start here, if it cannot.
pub fn available() -> Result<(), String> {
    if !venv_has_pins() {
        return Err(format!(
            "{OPENSTACK_VENV} holds no finished install of the pins in crates/aio-sandbox/openstack (`cargo xtask ci` makes it)"
        ));
    }
    if !Path::new(mariadb::MARIADBD).exists() {
        return Err(format!(
            "{} is missing (package mariadb-server)",
            mariadb::MARIADBD
        ));
    }
    Ok(())
}

pub struct Cloud {
    /// The daemons first, so they die before their directory goes.
    neutron: Option<Daemon>,
    keystone: Option<Daemon>,
    db: Mariadb,
    ns: String,
    secrets: template::Secrets,
    keystone_conf: PathBuf,
    neutron_conf: Vec<PathBuf>,
    clouds_yaml: PathBuf,
    timings: Timings,
    dir: tempfile::TempDir,
}

impl Cloud {
    /// Starts MariaDB, Keystone and neutron-server in namespace `ns`, for
    /// the OVN databases at `ovn`.
    pub fn start(
        ns: &str,
        ovn: &OvnEndpoints,
        settings: &NeutronSettings,
    ) -> Result<Cloud, String> {
        available()?;
        let template = template::ensure(ns)?;
        let started = Instant::now();
        let dir = tempfile::Builder::new()
            .prefix("aio-openstack-")
            .tempdir()
            .map_err(|e| format!("a temporary directory: {e}"))?;
        settings::make_private(dir.path())?;
        for part in ["datadir", "fernet-keys"] {
            copy_tree(&template.dir.join(part), dir.path())?;
        }
        let copy = started.elapsed();
        let db = Mariadb::stopped(ns, dir.path());
        let secrets = template.secrets;
        let keystone_conf = keystone::write_conf(dir.path(), &db.url("keystone"))?;
        let neutron_conf = server::write_conf(
            dir.path(),
            &db.url("neutron"),
            &secrets.neutron,
            ovn,
            settings,
        )?;
        let clouds_yaml = client::write_clouds_yaml(dir.path(), &secrets.admin)?;
        let mut cloud = Cloud {
            neutron: None,
            keystone: None,
            db,
            ns: ns.to_string(),
            secrets,
            keystone_conf,
            neutron_conf,
            clouds_yaml,
            timings: Timings::default(),
            dir,
        };
        cloud.start_again()?;
        cloud.timings.template_build = template.built_in;
        cloud.timings.copy = copy;
        Ok(cloud)
    }

    /// Starts the daemons on the database there is, as after a reboot.
    pub fn start_again(&mut self) -> Result<(), String> {
        if self.keystone.is_some() || self.neutron.is_some() {
            return Err("the cloud runs already".into());
        }
        let with_logs = |e: String, cloud: &Cloud| format!("{e}\n{}", cloud.logs());
        let started = Instant::now();
        self.db.start_again()?;
        self.timings.mariadb = started.elapsed();
        let started = Instant::now();
        let keystone = keystone::start(&self.ns, self.dir.path(), &self.keystone_conf);
        self.keystone = Some(keystone.map_err(|e| with_logs(e, self))?);
        self.timings.keystone = started.elapsed();
        let started = Instant::now();
        let neutron = server::start(&self.ns, self.dir.path(), &self.neutron_conf);
        self.neutron = Some(neutron.map_err(|e| with_logs(e, self))?);
        self.timings.neutron = started.elapsed();
        self.openstack(&["network", "list"])
            .map_err(|e| with_logs(e, self))?;
        self.timings.api_ready = started.elapsed();
        Ok(())
    }

    /// Stops neutron-server, Keystone and MariaDB (SIGTERM to each process
    /// group, SIGKILL after a grace period); the database stays.
    pub fn stop(&mut self) {
        for mut daemon in [self.neutron.take(), self.keystone.take()]
            .into_iter()
            .flatten()
        {
            daemon.stop(Duration::from_secs(10));
        }
        self.db.stop();
    }

    /// `openstack --os-cloud kolla-admin ARGS -f json`, parsed (an empty
    /// output is `null`). Commands that take no `-f` (`delete`, `set`,
    /// `add`): [`Cloud::openstack_unit`].
    pub fn openstack(&self, args: &[&str]) -> Result<serde_json::Value, String> {
        let args = [args, &["-f", "json"]].concat();
        let out = self.run(&args)?;
        if out.trim().is_empty() {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_str(&out).map_err(|e| format!("openstack {}: {e}: {out}", args.join(" ")))
    }

    /// `openstack --os-cloud kolla-admin ARGS`, for commands that print
    /// nothing and take no `-f`.
    pub fn openstack_unit(&self, args: &[&str]) -> Result<(), String> {
        self.run(args).map(|_| ())
    }

    /// Each of `commands` (`openstack` arguments), in order, in one
    /// interpreter: what each printed. Add `-f json` where a command
    /// takes it. The first failure stops the batch and is the error.
    pub fn openstack_batch(&self, commands: &[Vec<String>]) -> Result<Vec<String>, String> {
        let secrets = [self.secrets.admin.as_str(), self.secrets.neutron.as_str()];
        client::run_batch(
            &self.ns,
            self.dir.path(),
            &self.clouds_yaml,
            commands,
            &secrets,
        )
    }

    fn run(&self, args: &[&str]) -> Result<String, String> {
        let secrets = [self.secrets.admin.as_str(), self.secrets.neutron.as_str()];
        client::run(&self.ns, &self.clouds_yaml, args, &secrets)
    }

    /// The `clouds.yaml` the CLI uses (`OS_CLIENT_CONFIG_FILE`).
    pub fn clouds_yaml(&self) -> &Path {
        &self.clouds_yaml
    }

    /// The run's private directory: configuration, logs, database.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn timings(&self) -> &Timings {
        &self.timings
    }

    /// The running daemons' PIDs (each also its process group's id).
    pub fn pids(&self) -> Vec<(&'static str, u32)> {
        self.daemons().map(|d| (d.name, d.pid())).collect()
    }

    /// Each running daemon's resident memory in KiB, its workers included.
    pub fn rss_kib(&self) -> Vec<(&'static str, u64)> {
        self.daemons().map(|d| (d.name, d.rss_kib())).collect()
    }

    fn daemons(&self) -> impl Iterator<Item = &Daemon> {
        [
            self.db.daemon(),
            self.keystone.as_ref(),
            self.neutron.as_ref(),
        ]
        .into_iter()
        .flatten()
    }

    /// Live processes whose command line names the run's directory: none
    /// once the cloud is stopped.
    pub fn leftovers(&self) -> Vec<String> {
        leftovers(self.dir.path())
    }

    /// The tails of the daemons' logs, for a failure's report.
    pub fn logs(&self) -> String {
        let mut out = self.db.logs();
        for log in [
            "keystone.out",
            "keystone.log",
            "neutron-server.out",
            "neutron-server.log",
        ] {
            out += &format!("--- {log}\n");
            out += &daemon::tail(&self.dir.path().join(log), 25);
        }
        out
    }
}

impl Drop for Cloud {
    fn drop(&mut self) {
        self.stop();
        // A worker that left its group would still name the directory.
        for stat in leftovers(self.dir.path()) {
            if let Some(pid) = stat.split_whitespace().next().and_then(|p| p.parse().ok()) {
                // SAFETY: a plain syscall on a process just seen alive.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        }
    }
}

fn leftovers(dir: &Path) -> Vec<String> {
    let needle = dir.display().to_string();
    crate::process::alive(|proc_dir, _| {
        std::fs::read(proc_dir.join("cmdline"))
            .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&needle))
    })
}

/// `cp -a FROM INTO/`.
fn copy_tree(from: &Path, into: &Path) -> Result<(), String> {
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(into)
        .status()
        .map_err(|e| format!("cp: {e}"))?;
    match status.success() {
        true => Ok(()),
        false => Err(format!(
            "cp -a {} {}: {status}",
            from.display(),
            into.display()
        )),
    }
}
