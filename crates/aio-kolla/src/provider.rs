//! [`KollaProvider`]: observes the deployment on disk, carries it out.

use async_trait::async_trait;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use aio_engine::{Attrs, Change, Observed, Provider, ProviderError, ResourceId, TypedAttrs};
use aio_topology::secret::mask_text;

use crate::actions::{self, Runner};
use crate::record::{self, Record};
use crate::venv::Venv;
use crate::{Deployment, KollaAttrs, KollaError, PROVIDER, files, passwords, requirement};

pub struct KollaProvider {
    deployment: Deployment,
    state_dir: PathBuf,
    netns: Option<String>,
}

impl KollaProvider {
    /// Carries out `deployment`; actions run in network namespace `netns` (or the caller's).
    pub fn new(
        deployment: Deployment,
        state_dir: impl Into<PathBuf>,
        netns: Option<String>,
    ) -> Self {
        KollaProvider {
            deployment,
            state_dir: state_dir.into(),
            netns,
        }
    }

    fn venv(&self) -> Venv {
        Venv::new(&self.deployment.venv)
    }

    fn observed(&self) -> Result<Attrs, KollaError> {
        let d = &self.deployment;
        let venv = self.venv();
        let version = venv.version();
        let record = Record::load(&self.state_dir)?;
        let digests = d
            .files
            .keys()
            .map(|path| {
                let current = std::fs::read(d.config_dir.join(path)).ok();
                (
                    path.clone(),
                    current.map(|bytes| aio_fs::sha256_hex(&bytes)),
                )
            })
            .collect();
        let inputs = if record.complete(&d.inputs, version.as_deref(), &d.actions) {
            Some(d.inputs.clone())
        } else {
            match (&record.failed, &record.inputs) {
                (Some(action), _) => Some(format!("failed at {action}")),
                (None, Some(_)) => Some("changed".to_string()),
                (None, None) => None,
            }
        };
        // The requirement counts as met when the venv's version fits it, or
        // when pip installed exactly this requirement here before.
        let fits = version
            .as_deref()
            .is_some_and(|v| requirement::satisfied(&d.package, v));
        let installed =
            fits || (version.is_some() && record.package.as_deref() == Some(&d.package));
        let package = if installed {
            Some(d.package.clone())
        } else {
            version
        };
        Ok(KollaAttrs {
            package,
            files: digests,
            passwords: passwords::status(&d.config_dir),
            inputs,
        }
        .to_attrs())
    }

    /// The actions this apply would run: all, or those left after a failure.
    fn pending_actions(&self) -> Result<&[String], KollaError> {
        let d = &self.deployment;
        let record = Record::load(&self.state_dir)?;
        let start = record.resume_at(&d.inputs, self.venv().version().as_deref(), &d.actions);
        Ok(&d.actions[start..])
    }

    fn inventory(&self) -> Result<(PathBuf, String), KollaError> {
        let d = &self.deployment;
        let source = if d.inventory.contains('/') {
            PathBuf::from(&d.inventory)
        } else {
            self.venv()
                .share()
                .join("ansible/inventory")
                .join(&d.inventory)
        };
        let text = std::fs::read_to_string(&source).map_err(|e| KollaError::io(&source, e))?;
        let python = self.venv().bin("python");
        Ok((
            d.config_dir.join("inventory"),
            format!(
                "{text}\n# Added by aio: Ansible runs with the kolla venv's Python.\n[all:vars]\nansible_python_interpreter={}\n",
                python.display()
            ),
        ))
    }

    /// Everything but the actions: venv, files, inventory, passwords. Blocking.
    fn prepare(&self, install: bool) -> Result<(), KollaError> {
        let d = &self.deployment;
        let venv = self.venv();
        // What a killed run left half-written (a passwords.yml copy among them).
        for dir in [d.config_dir.clone(), record::dir(&self.state_dir)] {
            aio_fs::sweep_temps(&dir).map_err(|e| KollaError::io(&dir, e))?;
        }
        let mut record = Record::load(&self.state_dir)?;
        if install || venv.version().is_none() {
            venv.install(&d.package, &record::dir(&self.state_dir).join("venv.log"))?;
            record.package = Some(d.package.clone());
            record
                .save(&self.state_dir)
                .map_err(|e| KollaError::io(&self.state_dir, e))?;
        }
        for (path, text) in &d.files {
            let target = d.config_dir.join(path);
            files::write_atomic(&target, text.as_bytes())
                .map_err(|e| KollaError::io(&target, e))?;
        }
        let (inventory, text) = self.inventory()?;
        files::write_atomic(&inventory, text.as_bytes())
            .map_err(|e| KollaError::io(&inventory, e))?;
        if passwords::status(&d.config_dir) != passwords::COMPLETE {
            passwords::fill(&venv, &d.config_dir)?;
        }
        Ok(())
    }

    fn runner(deployment: &Deployment, state_dir: &Path) -> Runner {
        let venv = Venv::new(&deployment.venv);
        Runner {
            program: actions::program(&venv.dir.join("bin")),
            venv_bin: venv.dir.join("bin"),
            inventory: deployment.config_dir.join("inventory"),
            config_dir: deployment.config_dir.clone(),
            log_dir: record::dir(state_dir),
        }
    }

    /// `kolla-ansible destroy`: removes Kolla's containers and volumes, and
    /// forgets what actions ran, so the next apply deploys again. Blocking.
    pub fn destroy(&self) -> Result<(), KollaError> {
        let (deployment, state_dir) = (self.deployment.clone(), self.state_dir.clone());
        let run = move || {
            Self::runner(&deployment, &state_dir)
                .run_with("destroy", &["--yes-i-really-really-mean-it"])?;
            let record = Record {
                package: Record::load(&state_dir)?.package,
                ..Record::default()
            };
            record
                .save(&state_dir)
                .map_err(|e| KollaError::io(&state_dir, e))
        };
        aio_netns::run_in(self.netns.as_deref(), run)
            .map_err(|e| KollaError::Venv(e.to_string()))?
    }

    pub fn config_dir(&self) -> &Path {
        &self.deployment.config_dir
    }

    /// Runs the pending actions in order, recording each. Blocking.
    fn run_actions(deployment: &Deployment, state_dir: &Path) -> Result<(), KollaError> {
        let d = deployment;
        let venv = Venv::new(&d.venv);
        let version = venv.version();
        let mut record = Record::load(state_dir)?;
        let start = record.resume_at(&d.inputs, version.as_deref(), &d.actions);
        if start == 0 {
            record = Record {
                package: record.package,
                inputs: Some(d.inputs.clone()),
                version,
                ..Record::default()
            };
        }
        let runner = Self::runner(d, state_dir);

        let save = |r: &Record| r.save(state_dir).map_err(|e| KollaError::io(state_dir, e));
        for action in &d.actions[start..] {
            record.failed = None;
            if let Err(e) = runner.run(action) {
                record.failed = Some(action.clone());
                save(&record)?;
                return Err(e);
            }
            record.done.push(action.clone());
            save(&record)?;
        }
        save(&record)
    }
}

fn differs(change: &Change, key: &str) -> bool {
    change.differences().iter().any(|(k, _, _)| *k == key)
}

#[async_trait]
impl Provider for KollaProvider {
    fn name(&self) -> &str {
        PROVIDER
    }

    async fn observe(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
        let mut out = Observed::new();
        if let Some(id) = ids.iter().find(|id| **id == crate::resource_id()) {
            let attrs = self
                .observed()
                .map_err(|e| ProviderError::new(e.to_string()))?;
            out.insert(id.clone(), attrs);
        }
        Ok(out)
    }

    /// A deploy cannot be undone; a failed action is resumed instead.
    fn reversible(&self) -> bool {
        false
    }

    /// The deployment is always there to observe (its files may be
    /// missing); taking over one aio did not make is not offered yet.
    fn adoptable(&self, _wanted: &aio_engine::Resource) -> bool {
        false
    }

    fn describe(&self, change: &Change) -> Option<String> {
        let d = &self.deployment;
        let mut text = String::new();
        if differs(change, "package") {
            let _ = writeln!(text, "venv {}: pip install {}", d.venv.display(), d.package);
        }
        for (path, new) in &d.files {
            let target = d.config_dir.join(path);
            let old = std::fs::read_to_string(&target).unwrap_or_default();
            if old == *new {
                continue;
            }
            // Secret-looking values are hidden on both sides before diffing.
            let (old, new) = (mask_text(&old), mask_text(new));
            let shown = target.display().to_string();
            let diff = similar::TextDiff::from_lines(&old, &new);
            let _ = write!(
                text,
                "{}",
                diff.unified_diff()
                    .context_radius(1)
                    .header(&shown, &format!("{shown} (aio)"))
            );
        }
        let inventory = d.config_dir.join("inventory");
        let current = std::fs::read_to_string(&inventory).ok();
        if self
            .inventory()
            .map_or(true, |(_, text)| current.as_ref() != Some(&text))
        {
            let _ = writeln!(
                text,
                "{}: Kolla's {} inventory, with ansible_python_interpreter = {}",
                inventory.display(),
                d.inventory,
                self.venv().bin("python").display()
            );
        }
        if differs(change, "passwords") {
            let _ = writeln!(
                text,
                "{}: kolla-genpwd fills the empty values (never shown)",
                d.config_dir.join(passwords::FILE).display()
            );
        }
        let pending = match self.pending_actions() {
            Ok(pending) => pending,
            Err(e) => return Some(e.to_string()),
        };
        let actions = match (differs(change, "inputs"), d.actions.is_empty()) {
            (_, true) => "none (render only: actions = [])".to_string(),
            (false, false) => "none: they already ran for these inputs".to_string(),
            (true, false) if pending.len() < d.actions.len() => {
                format!("{} (resuming after a failure)", pending.join(", "))
            }
            (true, false) => d.actions.join(", "),
        };
        let _ = writeln!(text, "actions: {actions}");
        Some(text.trim_end().to_string())
    }

    async fn apply(&self, changes: &[&Change]) -> Result<(), ProviderError> {
        let Some(change) = changes.iter().find(|c| c.id == crate::resource_id()) else {
            return Ok(());
        };
        let install = differs(change, "package");
        // pip needs the machine's network, not the sandbox's: prepare here.
        let me = KollaProvider {
            deployment: self.deployment.clone(),
            state_dir: self.state_dir.clone(),
            netns: self.netns.clone(),
        };
        tokio::task::spawn_blocking(move || me.prepare(install))
            .await
            .map_err(|e| ProviderError::new(e.to_string()))?
            .map_err(|e| ProviderError::new(e.to_string()))?;
        // Actions read the host's facts: run them in the target namespace.
        let (deployment, state_dir) = (self.deployment.clone(), self.state_dir.clone());
        aio_netns::spawn_in(self.netns.clone(), move || {
            KollaProvider::run_actions(&deployment, &state_dir)
        })
        .await
        .map_err(|e| ProviderError::new(e.to_string()))?
        .map_err(|e| ProviderError::new(e.to_string()))
    }
}
