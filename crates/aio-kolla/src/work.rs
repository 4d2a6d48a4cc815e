//! [`Work`]: the deployment on disk, observed and carried out (blocking).
//! What the provider hands to a blocking thread or a network namespace.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::actions::{self, Runner};
use crate::record::{self, Record};
use crate::run_state::RunState;
use crate::venv::Venv;
use crate::{Deployment, KollaAttrs, KollaError, files, globals, passwords, requirement};

#[derive(Debug, Clone)]
pub(crate) struct Work {
    pub deployment: Deployment,
    pub state_dir: PathBuf,
    /// The program run for actions (default: see [`actions::program`]).
    pub program: Option<PathBuf>,
    /// The `docker` asked whether Kolla's containers run (default: on `PATH`).
    pub docker: Option<PathBuf>,
}

/// The actions an apply runs, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ToRun {
    pub actions: Vec<String>,
    /// Some already ran for these inputs: resuming after a failure.
    pub resuming: bool,
    /// Some are run again though recorded as done (`--rerun`).
    pub rerun: Vec<String>,
}

impl Work {
    pub fn venv(&self) -> Venv {
        Venv::new(&self.deployment.venv)
    }

    pub fn config_dir(&self) -> &Path {
        &self.deployment.config_dir
    }

    /// The deployment as it is now; `reruns` still to run make its inputs differ.
    pub fn observed(&self, reruns: &[String]) -> Result<KollaAttrs, KollaError> {
        let d = &self.deployment;
        let venv = self.venv();
        let version = venv.version();
        let record = Record::load(&self.state_dir)?;
        let mut digests = std::collections::BTreeMap::new();
        for path in d.files.keys() {
            let current = globals::read_text(&d.config_dir.join(path))?;
            digests.insert(
                path.clone(),
                current.map(|text| aio_fs::sha256_hex(text.as_bytes())),
            );
        }
        // Kolla reads every globals file: one aio cannot read safely (a
        // FIFO, a device, an alias bomb) is an error now, not in a deploy.
        globals::merged(&d.config_dir)?;
        // So is the inventory.
        self.inventory_if_any()?;
        let inputs = if record.complete(&d.inputs, version.as_deref(), &d.actions) {
            if reruns.is_empty() {
                Some(RunState::Done(d.inputs.clone()))
            } else {
                Some(RunState::Rerun(reruns.to_vec()))
            }
        } else {
            match (&record.failed, &record.inputs) {
                (Some(action), _) => Some(RunState::FailedAt(action.clone())),
                (None, Some(_)) => Some(RunState::Changed),
                (None, None) => None,
            }
        };
        // The requirement counts as met when the venv's version fits it, or
        // when pip installed exactly this requirement here before: a venv
        // that already holds a fitting kolla-ansible is never handed to pip.
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
            globals_yml: globals::base_status(&d.config_dir)?,
            passwords: passwords::status(&d.config_dir)?,
            inputs,
        })
    }

    /// What an apply would run: the actions after those already done for
    /// these inputs (all when the inputs changed, none when they all ran),
    /// and `reruns` though done, in the topology's order.
    pub fn to_run(&self, reruns: &[String]) -> Result<ToRun, KollaError> {
        let d = &self.deployment;
        let record = Record::load(&self.state_dir)?;
        let start = record.resume_at(&d.inputs, self.venv().version().as_deref(), &d.actions);
        let mut out = ToRun {
            actions: Vec::new(),
            resuming: start > 0 && start < d.actions.len(),
            rerun: Vec::new(),
        };
        for (i, action) in d.actions.iter().enumerate() {
            if i >= start {
                out.actions.push(action.clone());
            } else if reruns.contains(action) {
                out.actions.push(action.clone());
                out.rerun.push(action.clone());
            }
        }
        Ok(out)
    }

    /// Kolla's inventory as aio writes it, and where (the config dir's
    /// `inventory`).
    /// [`Work::inventory`], or `None` when it is not there yet: the
    /// shipped ones come with the venv; any other must be readable.
    pub fn inventory_if_any(&self) -> Result<Option<(PathBuf, String)>, KollaError> {
        match self.inventory() {
            Err(KollaError::File(e)) if e.is_not_found() => Ok(None),
            found => found.map(Some),
        }
    }

    pub fn inventory(&self) -> Result<(PathBuf, String), KollaError> {
        let d = &self.deployment;
        let source = if d.inventory.contains('/') {
            PathBuf::from(&d.inventory)
        } else {
            self.venv()
                .share()
                .join("ansible/inventory")
                .join(&d.inventory)
        };
        let text = aio_fs::read_text_bounded(&source, aio_fs::Bound::KOLLA_CONFIG)?;
        let python = self.venv().bin("python");
        Ok((
            d.config_dir.join(crate::inventory::FILE),
            crate::inventory::written(&text, &python),
        ))
    }

    /// The files [`Work::prepare`] writes, and what they are to say.
    fn to_write(&self) -> Result<Vec<(PathBuf, String)>, KollaError> {
        let d = &self.deployment;
        let mut wanted: Vec<(PathBuf, String)> = d
            .files
            .iter()
            .map(|(path, text)| (d.config_dir.join(path), text.clone()))
            .collect();
        wanted.push(self.inventory()?);
        if globals::base_needs_writing(&d.config_dir)? {
            let base = d.config_dir.join(globals::BASE_FILE);
            wanted.push((base, globals::MINIMAL.to_string()));
        }
        Ok(wanted)
    }

    /// Refuses, before anything is written, a config dir, state dir or
    /// target aio could not write safely (see [`files::check_targets`]):
    /// every file [`Work::prepare`] may write under the config dir, and
    /// the record with the actions' logs.
    pub fn check_targets(&self) -> Result<(), KollaError> {
        let d = &self.deployment;
        files::check_targets(&d.config_dir, &self.config_files())?;
        let record = record::file(&self.state_dir);
        files::check_targets(&self.state_dir, &[record])
    }

    /// Every file [`Work::prepare`] may write under the config dir.
    fn config_files(&self) -> Vec<PathBuf> {
        let d = &self.deployment;
        let mut config: Vec<PathBuf> = d.files.keys().map(|p| d.config_dir.join(p)).collect();
        for file in [globals::BASE_FILE, passwords::FILE, crate::inventory::FILE] {
            config.push(d.config_dir.join(file));
        }
        config
    }

    /// Everything but the actions: venv, files, inventory, passwords. A
    /// file that already says what it should is left alone. Every place
    /// written is checked before the first byte is, and every file read
    /// before it, but the shipped inventory when the venv is to be made.
    pub fn prepare(&self, install: bool) -> Result<(), KollaError> {
        let d = &self.deployment;
        let venv = self.venv();
        let install = install || venv.version().is_none();
        self.check_targets()?;
        let read_first = if install {
            None
        } else {
            Some(self.to_write()?)
        };
        // What a killed run left half-written (a passwords.yml copy among
        // them): in the operator's directories, only temps of aio's files.
        let written = self.config_files();
        let mut ours: BTreeMap<&Path, Vec<&str>> = BTreeMap::new();
        for file in &written {
            if let (Some(dir), Some(name)) =
                (file.parent(), file.file_name().and_then(|n| n.to_str()))
            {
                ours.entry(dir).or_default().push(name);
            }
        }
        for (dir, names) in &ours {
            aio_fs::sweep_temps_of(dir, names).map_err(|e| KollaError::io(dir, e))?;
        }
        let own = record::dir(&self.state_dir);
        aio_fs::sweep_temps(&own).map_err(|e| KollaError::io(&own, e))?;
        let mut record = Record::load(&self.state_dir)?;
        if install {
            venv.install(&d.package, &record::dir(&self.state_dir).join("venv.log"))?;
            record.package = Some(d.package.clone());
            record
                .save(&self.state_dir)
                .map_err(|e| KollaError::io(&self.state_dir, e))?;
        }
        let wanted = match read_first {
            Some(wanted) => wanted,
            None => self.to_write()?,
        };
        for (target, text) in wanted {
            if globals::read_text(&target).is_ok_and(|now| now.as_deref() == Some(text.as_str())) {
                continue;
            }
            files::write_atomic(&target, text.as_bytes())
                .map_err(|e| KollaError::io(&target, e))?;
        }
        if passwords::status(&d.config_dir)? != passwords::COMPLETE {
            passwords::fill(&venv, &d.config_dir)?;
        }
        Ok(())
    }

    pub fn runner(&self) -> Runner {
        let venv = self.venv();
        let bin = venv.dir.join("bin");
        Runner {
            program: self
                .program
                .clone()
                .unwrap_or_else(|| actions::program(&bin)),
            venv_bin: bin,
            inventory: self.deployment.config_dir.join(crate::inventory::FILE),
            config_dir: self.deployment.config_dir.clone(),
            log_dir: record::dir(&self.state_dir),
        }
    }

    /// Runs what [`Work::to_run`] says, in order, recording each. When
    /// every action is recorded as done for these inputs and nothing is to
    /// be run again, nothing runs. A rerun that fails is where the next
    /// apply resumes, as any failed action is.
    pub fn run_actions(&self, reruns: &[String]) -> Result<(), KollaError> {
        let d = &self.deployment;
        let version = self.venv().version();
        let mut record = Record::load(&self.state_dir)?;
        let start = record.resume_at(&d.inputs, version.as_deref(), &d.actions);
        if start == 0 {
            record = Record {
                package: record.package,
                inputs: Some(d.inputs.clone()),
                version,
                ..Record::default()
            };
        }
        let runner = self.runner();
        let state_dir = &self.state_dir;
        let save = |r: &Record| r.save(state_dir).map_err(|e| KollaError::io(state_dir, e));
        for (i, action) in d.actions.iter().enumerate() {
            if i < start && !reruns.contains(action) {
                continue;
            }
            record.failed = None;
            if let Err(e) = runner.run(action) {
                // What came after it may rest on what it did: from here again.
                record.done.truncate(i);
                record.failed = Some(action.clone());
                save(&record)?;
                return Err(e);
            }
            if i >= start {
                record.done.push(action.clone());
            }
            save(&record)?;
        }
        save(&record)
    }

    /// Records every action as done for the current inputs, as if aio had
    /// run them: what adopting a deployment made elsewhere means.
    pub fn record_all_done(&self) -> Result<(), KollaError> {
        let d = &self.deployment;
        let record = Record {
            package: Record::load(&self.state_dir)?.package,
            inputs: Some(d.inputs.clone()),
            version: self.venv().version(),
            done: d.actions.clone(),
            failed: None,
        };
        record
            .save(&self.state_dir)
            .map_err(|e| KollaError::io(&self.state_dir, e))
    }

    /// Whether aio ever recorded Kolla actions in this state dir.
    pub fn has_record(&self) -> bool {
        record::file(&self.state_dir).exists()
    }
}
