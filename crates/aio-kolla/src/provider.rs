//! [`KollaProvider`]: observes the deployment on disk, carries it out.

use async_trait::async_trait;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use aio_engine::{
    Action, Change, Observed, Provider, ProviderError, ProviderName, ResourceId, TypedAttrs,
};

use crate::work::Work;
use crate::{Deployment, KollaError, PROVIDER, adopt, passwords};

pub struct KollaProvider {
    work: Work,
    netns: Option<String>,
    /// Actions to run again though recorded as done (`--rerun`).
    reruns: Vec<String>,
    /// The reruns ran in this process: what it observes next no longer asks for them.
    reran: AtomicBool,
}

impl KollaProvider {
    /// Carries out `deployment`; actions run in network namespace `netns` (or the caller's).
    pub fn new(
        deployment: Deployment,
        state_dir: impl Into<PathBuf>,
        netns: Option<String>,
    ) -> Self {
        KollaProvider {
            work: Work {
                deployment,
                state_dir: state_dir.into(),
                program: None,
                docker: None,
            },
            netns,
            reruns: Vec::new(),
            reran: AtomicBool::new(false),
        }
    }

    /// Runs `actions` again though they are recorded as done for the
    /// current inputs (once, in the next apply).
    pub fn with_reruns(mut self, actions: Vec<String>) -> Self {
        self.reruns = actions;
        self
    }

    /// Runs `program` for actions instead of the venv's kolla-ansible (a
    /// stand-in, in tests).
    pub fn with_program(mut self, program: impl Into<PathBuf>) -> Self {
        self.work.program = Some(program.into());
        self
    }

    /// Asks `docker` whether Kolla's containers run, when adopting,
    /// instead of the `docker` on `PATH` (a stand-in, in tests).
    pub fn with_docker(mut self, docker: impl Into<PathBuf>) -> Self {
        self.work.docker = Some(docker.into());
        self
    }

    /// The reruns still to run.
    fn reruns(&self) -> &[String] {
        if self.reran.load(Ordering::SeqCst) {
            &[]
        } else {
            &self.reruns
        }
    }

    /// `kolla-ansible destroy`: removes Kolla's containers and volumes, and
    /// forgets what actions ran, so the next apply deploys again. Blocking.
    pub fn destroy(&self) -> Result<(), KollaError> {
        let work = self.work.clone();
        let run = move || {
            work.runner()
                .run_with("destroy", &["--yes-i-really-really-mean-it"])?;
            let record = crate::record::Record {
                package: crate::record::Record::load(&work.state_dir)?.package,
                ..crate::record::Record::default()
            };
            record
                .save(&work.state_dir)
                .map_err(|e| KollaError::io(&work.state_dir, e))
        };
        aio_netns::run_in(self.netns.as_deref(), run)
            .map_err(|e| KollaError::Venv(e.to_string()))?
    }

    pub fn config_dir(&self) -> &Path {
        self.work.config_dir()
    }

    /// Takes over a deployment made elsewhere: files written, every action
    /// recorded as done for the current inputs, none run. Blocking.
    fn adopt(work: &Work, install: bool) -> Result<(), KollaError> {
        if let Some(note) = adopt::check(work.config_dir(), work.docker.as_deref())? {
            tracing::warn!("kolla: adopting {}: {note}", work.config_dir().display());
        }
        work.prepare(install)?;
        work.record_all_done()
    }
}

fn differs(change: &Change, key: &str) -> bool {
    change.differences().iter().any(|(k, _, _)| *k == key)
}

fn failed(e: impl ToString) -> ProviderError {
    ProviderError::failed(e.to_string())
}

#[async_trait]
impl Provider for KollaProvider {
    fn name(&self) -> ProviderName {
        PROVIDER
    }

    async fn observe(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
        let mut out = Observed::new();
        if let Some(id) = ids.iter().find(|id| **id == crate::resource_id()) {
            let attrs = self
                .work
                .observed(self.reruns())
                .map_err(|e| ProviderError::unreachable(e.to_string()))?;
            out.insert(id.clone(), attrs.to_attrs());
        }
        Ok(out)
    }

    /// Destroying the topology never destroys the deployment.
    fn deletes(&self, _id: &ResourceId) -> bool {
        false
    }

    /// A deploy cannot be undone; a failed action is resumed instead.
    fn reversible(&self) -> bool {
        false
    }

    /// A deployment aio did not make may be adopted: its `passwords.yml`
    /// is there, and aio never recorded Kolla actions in this state dir.
    fn adoptable(&self, _wanted: &aio_engine::Resource) -> bool {
        self.config_dir().join(passwords::FILE).is_file() && !self.work.has_record()
    }

    /// Refuses a config dir, state dir or target aio could not write
    /// safely, in the plan: before anything is applied, anywhere.
    fn check(&self, change: &Change) -> Result<(), ProviderError> {
        if change.id != crate::resource_id() {
            return Ok(());
        }
        self.work
            .check_targets()
            .map_err(|e| ProviderError::refused(e.to_string()))
    }

    fn describe(&self, change: &Change) -> Option<aio_engine::Detail> {
        Some(crate::describe::describe(&self.work, change, self.reruns()))
    }

    async fn apply(&self, changes: &[&Change]) -> Result<(), ProviderError> {
        let Some(change) = changes.iter().find(|c| c.id == crate::resource_id()) else {
            return Ok(());
        };
        let install = differs(change, "package");
        // pip needs the machine's network, not the sandbox's: prepare here.
        let work = self.work.clone();
        if change.action == Action::Adopt {
            return tokio::task::spawn_blocking(move || Self::adopt(&work, install))
                .await
                .map_err(failed)?
                .map_err(failed);
        }
        tokio::task::spawn_blocking(move || work.prepare(install))
            .await
            .map_err(failed)?
            .map_err(failed)?;
        // Actions read the host's facts: run them in the target namespace.
        let (work, reruns) = (self.work.clone(), self.reruns().to_vec());
        let ran = aio_netns::spawn_in(self.netns.clone(), move || work.run_actions(&reruns)).await;
        // Asked once: a failed rerun is resumed like any failed action.
        self.reran.store(true, Ordering::SeqCst);
        ran.map_err(failed)?.map_err(failed)
    }
}
